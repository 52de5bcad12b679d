#include "harness.hpp"

namespace ferry::engine::test_steps {

using CombineStepTest = StepTest;

TEST_F(CombineStepTest, JsonArray) {
    const auto outcome = run("  - combine: {into: json_array}\n", {"{\"a\":1}", "2"});
    ASSERT_TRUE(outcome.ok);
    EXPECT_EQ(data(outcome.outputs), (std::vector<std::string>{"[{\"a\":1},2]"}));
    EXPECT_EQ(outcome.outputs[0].doc.props.at("name"), "n0");  // the first document's
}

// XML documents lose their declarations inside the list element.
TEST_F(CombineStepTest, XmlList) {
    const auto outcome = run("  - combine: {into: xml_list, element: Orders}\n",
                             {"<?xml version=\"1.0\"?>\n<Order>1</Order>", "<Order>2</Order>"});
    ASSERT_TRUE(outcome.ok);
    EXPECT_EQ(data(outcome.outputs),
              (std::vector<std::string>{"<Orders><Order>1</Order><Order>2</Order></Orders>"}));
}

TEST_F(CombineStepTest, Concatenate) {
    const auto outcome =
        run("  - combine: {into: concatenate, separator: \"; \"}\n", {"a", "b", "c"});
    ASSERT_TRUE(outcome.ok);
    EXPECT_EQ(data(outcome.outputs), (std::vector<std::string>{"a; b; c"}));
}

}  // namespace ferry::engine::test_steps
