#include "harness.hpp"
#include "run/steps.hpp"

namespace ferry::engine::test_steps {

using DecisionStepTest = StepTest;

// Per document; the true path runs to completion before the false path.
TEST_F(DecisionStepTest, TruePathFinishesFirst) {
    const auto outcome = run(R"(  - decision:
      left: current_data
      op: ">"
      right: {static: "10"}
      then:
)" + indent(log_step("big", "order"), 8) +
                                 R"(      else:
)" + indent(log_step("small", "order"), 8),
                             {"5", "50", "9", "100"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(log("order"), "50\n100\n5\n9\n");  // numbers compare as numbers
}

// An absent property counts as the empty string.
TEST_F(DecisionStepTest, AbsentValueIsEmptyString) {
    const auto outcome = run(R"(  - decision:
      left: {document_property: missing}
      op: "="
      right: {static: ""}
      then:
)" + indent(log_step("empty", "empty"), 8),
                             {"x"});
    ASSERT_TRUE(outcome.ok);
    EXPECT_EQ(log("empty"), "x\n");
}

// The comparison operators, including regex (whole value) and wildcard.
TEST(DecisionCompare, Operators) {
    EXPECT_TRUE(compare("abc", comparison::equal, "abc"));
    EXPECT_TRUE(compare("abc", comparison::not_equal, "abd"));
    EXPECT_TRUE(compare("9", comparison::less, "10"));       // numeric
    EXPECT_FALSE(compare("9a", comparison::less, "10"));     // text: '9' > '1'
    EXPECT_TRUE(compare("2.50", comparison::equal, "2.5"));  // numeric equality
    EXPECT_TRUE(compare("b", comparison::greater_equal, "b"));
    EXPECT_TRUE(compare("a", comparison::less_equal, "b"));
    EXPECT_TRUE(compare("ORD-123", comparison::regex, "ORD-[0-9]+"));
    EXPECT_FALSE(compare("xORD-123", comparison::regex, "ORD-[0-9]+"));
    EXPECT_TRUE(compare("report-2026.csv", comparison::wildcard, "report-*.csv"));
    EXPECT_TRUE(compare("ab", comparison::wildcard, "a?"));
    EXPECT_FALSE(compare("abc", comparison::wildcard, "a?"));
    EXPECT_TRUE(compare("", comparison::equal, ""));
}

}  // namespace ferry::engine::test_steps
