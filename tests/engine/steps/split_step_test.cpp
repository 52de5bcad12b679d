#include "harness.hpp"

namespace ferry::engine::test_steps {

using SplitStepTest = StepTest;

// Each element of the array at the path becomes a document carrying the parent's properties.
TEST_F(SplitStepTest, SplitsJsonArrayAtPath) {
    const auto outcome = run(R"(  - split: {by: json_array, path: order.lines}
)",
                             {R"({"order": {"id": 7, "lines": [{"sku": "a"}, {"sku": "b"}]}})"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(data(outcome.outputs),
              (std::vector<std::string>{R"({"sku":"a"})", R"({"sku":"b"})"}));
    EXPECT_EQ(outcome.outputs[1].doc.props.at("name"), "n0");
}

// A document without the array fails alone; the others are split.
TEST_F(SplitStepTest, DocumentWithoutArrayFails) {
    const auto outcome = run(R"(  - id: split-lines
    split: {by: json_array, path: lines}
)",
                             {R"({"lines": [1, 2]})", R"({"lines": 3})", "not json"});
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(data(outcome.outputs), (std::vector<std::string>{"1", "2"}));
    ASSERT_EQ(outcome.failures.size(), 2u);
    EXPECT_EQ(outcome.failures[0].error, "'lines' is not a JSON array");
    EXPECT_EQ(outcome.failed_step, "split-lines");
}

// Lines: one document per non-empty line, CRLF or LF.
TEST_F(SplitStepTest, SplitsLines) {
    const auto outcome = run("  - split: {by: lines}\n", {"a\r\n\nb\nc"});
    ASSERT_TRUE(outcome.ok);
    EXPECT_EQ(data(outcome.outputs), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace ferry::engine::test_steps
