#include "harness.hpp"

namespace ferry::engine::test_steps {

using StopStepTest = StepTest;

// A path stop ends that path only: its documents go nowhere further (nothing runs off the
// end of the path), and later branch paths still run. (Steps written after a stop could never
// run and are a load error, see ProcessLoaderTest.StepGraphMistakes.)
TEST_F(StopStepTest, PathStopEndsOnlyThatPath) {
    const auto outcome = run(R"(  - branch:
      paths:
        - steps:
)" + indent(log_step("first", "first"), 12) +
                                 R"(            - stop: {}
        - steps:
)" + indent(log_step("second", "second"), 12),
                             {"a"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_FALSE(outcome.stopped);
    EXPECT_EQ(log("first"), "a\n");
    EXPECT_EQ(log("second"), "a\n");
    ASSERT_EQ(outcome.outputs.size(), 1u);  // only path 2's copy ran off its end
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
