#include "harness.hpp"

namespace ferry::engine::test_steps {

using ReturnStepTest = StepTest;

// Every document that reaches a return step, from any path, is the result.
TEST_F(ReturnStepTest, CollectsFromEveryPath) {
    const auto outcome = run(R"(  - branch:
      paths:
        - steps:
            - message: {template: "ack:{1}", variables: [current_data]}
            - return: {}
        - steps:
            - message: {template: "later:{1}", variables: [current_data]}
            - return: {}
)",
                             {"a"}, "multiple_json");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(data(outcome.returned), (std::vector<std::string>{"ack:a", "later:a"}));
    EXPECT_FALSE(outcome.respond_early);
    EXPECT_TRUE(outcome.outputs.empty());
}

// respond: early is noted so that the caller can be answered before later paths run.
TEST_F(ReturnStepTest, RespondEarlyIsNoted) {
    const auto outcome = run("  - return: {respond: early}\n", {"a"}, "single_json");
    ASSERT_TRUE(outcome.ok);
    EXPECT_TRUE(outcome.respond_early);
    EXPECT_EQ(data(outcome.returned), (std::vector<std::string>{"a"}));
}

// The early reply goes out once the early return is reached and its path has finished, before
// a later path without a return step runs.
TEST_F(ReturnStepTest, EarlyReplyGoesBeforePathsThatCannotReturn) {
    std::vector<std::vector<std::string>> replies;
    bool later_ran_before_reply = false;
    on_early_ = [&](const std::vector<working_document>& returned) {
        replies.push_back(data(returned));
        later_ran_before_reply = std::filesystem::exists(out_.path() / "files/log/later");
    };
    const auto outcome = run(R"(  - branch:
      paths:
        - steps:
            - message: {template: "ack:{1}", variables: [current_data]}
            - return: {respond: early}
        - steps:
)" + indent(log_step("slow-work", "later"), 12),
                             {"a"}, "single_json");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0], (std::vector<std::string>{"ack:a"}));
    EXPECT_FALSE(later_ran_before_reply);
    EXPECT_EQ(log("later"), "a\n");  // the work went on after the reply
}

// A later path that can still reach a return step holds the early reply until it has
// finished, so its documents are part of it.
TEST_F(ReturnStepTest, EarlyReplyWaitsForPathsThatCanReturn) {
    std::vector<std::vector<std::string>> replies;
    on_early_ = [&](const std::vector<working_document>& returned) {
        replies.push_back(data(returned));
    };
    const auto outcome = run(R"(  - branch:
      paths:
        - steps:
            - message: {template: "ack:{1}", variables: [current_data]}
            - return: {respond: early}
        - steps:
            - decision:
                left: current_data
                op: "="
                right: {static: a}
                then:
                  - message: {template: "more:{1}", variables: [current_data]}
                  - return: {}
        - steps:
)" + indent(log_step("slow-work", "later"), 12),
                             {"a", "b"}, "multiple_json");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0], (std::vector<std::string>{"ack:a", "ack:b", "more:a"}));
}

}  // namespace ferry::engine::test_steps
