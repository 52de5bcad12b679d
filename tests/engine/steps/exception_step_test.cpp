#include "harness.hpp"

namespace ferry::engine::test_steps {

using ExceptionStepTest = StepTest;

// Document scope: each document that reaches it fails with the rendered message; others go on.
TEST_F(ExceptionStepTest, FailsDocumentsThatReachIt) {
    const auto outcome = run(R"(  - decision:
      left: current_data
      op: "="
      right: {static: "0"}
      then:
        - id: no-quantity
          exception: {message: "document {1} has quantity 0", variables: [document_index]}
      else:
)" + indent(log_step("ok", "ok"), 8),
                             {"1", "0", "2"});
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.failed_step, "no-quantity");
    EXPECT_EQ(outcome.error, "document 1 has quantity 0");
    EXPECT_EQ(log("ok"), "1\n2\n");
    ASSERT_FALSE(outcome.trace.empty());
    EXPECT_EQ(outcome.trace[1].step, "no-quantity");
    EXPECT_EQ(outcome.trace[1].documents_failed, 1u);
}

// Execution scope: the whole execution fails at once; nothing later runs.
TEST_F(ExceptionStepTest, ExecutionScopeStopsEverything) {
    const auto outcome = run(R"(  - branch:
      paths:
        - steps:
            - exception: {message: "upstream is down", scope: execution}
        - steps:
)" + indent(log_step("later", "later"), 12),
                             {"a"});
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, "upstream is down");
    EXPECT_FALSE(std::filesystem::exists(out_.path() / "files/log/later"));
}

}  // namespace ferry::engine::test_steps
