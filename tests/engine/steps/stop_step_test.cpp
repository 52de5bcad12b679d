#include "harness.hpp"

namespace ferry::engine::test_steps {

using StopStepTest = StepTest;

// A path stop ends that path only; later branch paths still run.
TEST_F(StopStepTest, PathStopEndsOnlyThatPath) {
    const auto outcome = run(R"(  - branch:
      paths:
        - steps:
            - stop: {}
)" + indent(log_step("never", "first"), 12) +
                                 R"(        - steps:
)" + indent(log_step("second", "second"), 12),
                             {"a"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(log("second"), "a\n");
    EXPECT_FALSE(std::filesystem::exists(out_.path() / "files/log/first"));
}

// An execution stop ends everything, successfully.
TEST_F(StopStepTest, ExecutionStopEndsEverything) {
    const auto outcome = run(R"(  - branch:
      paths:
        - steps:
            - stop: {scope: execution}
        - steps:
)" + indent(log_step("second", "second"), 12),
                             {"a"});
    EXPECT_TRUE(outcome.ok);
    EXPECT_TRUE(outcome.stopped);
    EXPECT_FALSE(std::filesystem::exists(out_.path() / "files/log/second"));
}

}  // namespace ferry::engine::test_steps
