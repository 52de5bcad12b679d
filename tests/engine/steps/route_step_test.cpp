#include "harness.hpp"

namespace ferry::engine::test_steps {

using RouteStepTest = StepTest;

// The first matching route takes a document; routes run in their order, the default last.
TEST_F(RouteStepTest, RoutesInOrderDefaultLast) {
    const auto outcome = run(R"(  - route:
      value: current_data
      routes:
        - when: US
          steps:
)" + indent(log_step("us", "order"), 12) +
                                 R"(        - when: EU
          steps:
            - message: {template: "eu:{1}", variables: [current_data]}
)" + indent(log_step("eu", "order"), 12) +
                                 R"(      default:
            - message: {template: "other:{1}", variables: [current_data]}
)" + indent(log_step("other", "order"), 12),
                             {"APAC", "EU", "US", "EU"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(log("order"), "US\neu:EU\neu:EU\nother:APAC\n");
}

}  // namespace ferry::engine::test_steps
