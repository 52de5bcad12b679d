#include <chrono>

#include "harness.hpp"

namespace ferry::engine::test_steps {

using TryCatchStepTest = StepTest;

// A failing document is tried 1 + retries times with doubling backoff, then goes to the catch
// path with the error as properties; a document that succeeds is not retried.
TEST_F(TryCatchStepTest, RetriesWithBackoffThenCatches) {
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = run(R"(  - try_catch:
      retries: 2
      backoff_ms: 30
      try:
)" + indent(log_step("attempt", "attempts"), 8) +
                                 R"(        - decision:
            left: current_data
            op: "="
            right: {static: bad}
            then:
              - id: refuse
                exception: {message: "cannot take {1}", variables: [current_data]}
      catch:
        - message:
            template: "{1} failed at {2}: {3}"
            variables: [current_data, {document_property: try_step}, {document_property: try_error}]
)" + indent(log_step("caught", "caught"), 8),
                             {"good", "bad"});
    const auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(outcome.ok) << outcome.error;  // caught: not a failure of the execution
    EXPECT_EQ(log("attempts"), "good\nbad\nbad\nbad\n");
    EXPECT_EQ(log("caught"), "bad failed at refuse: cannot take bad\n");
    EXPECT_GE(elapsed, std::chrono::milliseconds(30 + 60));  // waited between the attempts
}

// errors: document (the default) does not catch an execution-level error; errors: all does.
TEST_F(TryCatchStepTest, CatchAllAlsoCatchesExecutionErrors) {
    const std::string body = R"(
      try:
        - exception: {message: "all down", scope: execution}
      catch:
        - message: {template: "caught {1}", variables: [{document_property: try_error}]}
)" + indent(log_step("caught", "caught"), 8);
    const auto uncaught = run("  - try_catch:" + body, {"a"});
    EXPECT_FALSE(uncaught.ok);
    EXPECT_EQ(uncaught.error, "all down");

    const auto caught = run("  - try_catch:\n      errors: all" + body, {"a"});
    EXPECT_TRUE(caught.ok) << caught.error;
    EXPECT_EQ(log("caught"), "caught all down\n");
}

}  // namespace ferry::engine::test_steps
