#include "harness.hpp"

namespace ferry::engine::test_steps {

using BranchStepTest = StepTest;

// Paths run in order, each to completion, and each sees its own copy of every document.
TEST_F(BranchStepTest, PathsRunInOrderOnOwnCopies) {
    const auto outcome = run(R"(  - branch:
      paths:
        - steps:
            - message: {template: "one:{1}", variables: [current_data]}
)" + indent(log_step("log1", "order"), 12) +
                                 R"(        - steps:
            - message: {template: "two:{1}", variables: [current_data]}
)" + indent(log_step("log2", "order"), 12),
                             {"a", "b"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    // Path 1 finished (both documents) before path 2 started; path 2 saw the originals.
    EXPECT_EQ(log("order"), "one:a\none:b\ntwo:a\ntwo:b\n");
}

// A document that fails on path 1 does not enter path 2; the others do.
TEST_F(BranchStepTest, FailedDocumentSkipsLaterPaths) {
    const auto outcome = run(R"(  - branch:
      paths:
        - steps:
            - decision:
                left: current_data
                op: "="
                right: {static: bad}
                then:
                  - exception: {message: "refused {1}", variables: [current_data]}
        - steps:
)" + indent(log_step("log2", "second"), 12),
                             {"good", "bad", "fine"});
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(log("second"), "good\nfine\n");
    ASSERT_EQ(outcome.failures.size(), 1u);
    EXPECT_EQ(outcome.failures[0].error, "refused bad");
    EXPECT_EQ(outcome.error, "refused bad");
}

}  // namespace ferry::engine::test_steps
