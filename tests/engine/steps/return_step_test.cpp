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

}  // namespace ferry::engine::test_steps
