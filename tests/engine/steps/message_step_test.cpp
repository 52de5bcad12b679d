#include "harness.hpp"

namespace ferry::engine::test_steps {

using MessageStepTest = StepTest;

// One document out per document in, with the quote rules: '' is a quote, '...' is literal.
TEST_F(MessageStepTest, RendersEachDocumentWithQuoteRules) {
    const auto outcome = run(R"(  - message:
      template: "'{'\"name\": \"{1}\", \"it''s\": {2}'}'"
      variables: [{document_property: name}, current_data]
)",
                             {"1", "2"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(data(outcome.outputs), (std::vector<std::string>{R"({"name": "n0", "it's": 1})",
                                                               R"({"name": "n1", "it's": 2})"}));
    EXPECT_EQ(outcome.outputs[1].doc.props.at("name"), "n1");  // properties travel on
}

// combine: one document for all, the template rendered once per input.
TEST_F(MessageStepTest, CombineMakesOneDocument) {
    const auto outcome = run(R"(  - message:
      template: "<{1}>"
      variables: [current_data]
      combine: true
)",
                             {"a", "b", "c"});
    ASSERT_TRUE(outcome.ok);
    EXPECT_EQ(data(outcome.outputs), (std::vector<std::string>{"<a><b><c>"}));
}

// Process properties and execution values are variables too; an absent property is empty.
TEST_F(MessageStepTest, ProcessPropertiesAndExecutionValues) {
    const auto outcome = run(R"(  - message:
      template: "{1}|{2}|{3}|{4}"
      variables: [{process_property: inmethod}, {process_property: missing}, execution_id, document_id]
)",
                             {"x"}, "none", {{"inmethod", "POST"}});
    ASSERT_TRUE(outcome.ok);
    EXPECT_EQ(data(outcome.outputs), (std::vector<std::string>{"POST||ex1|ex1-0"}));
}

// Sequential values count per name across documents; unique values differ every time;
// environment variables are read from the ferry process.
TEST_F(MessageStepTest, SequenceUniqueAndEnvironmentVariables) {
    ::setenv("FERRY_TEST_REGION", "eu-west", 1);
    const auto outcome = run(R"(  - message:
      template: "{1}|{2}|{3}|{4}"
      variables: [{sequence: invoices}, {sequence: invoices}, unique, {environment: FERRY_TEST_REGION}]
)",
                             {"a", "b"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    ASSERT_EQ(outcome.outputs.size(), 2u);
    const auto& first = outcome.outputs[0].doc.data;
    const auto& second = outcome.outputs[1].doc.data;
    EXPECT_TRUE(first.starts_with("1|2|")) << first;
    EXPECT_TRUE(second.starts_with("3|4|")) << second;
    EXPECT_TRUE(first.ends_with("|eu-west"));
    const auto unique_of = [](const std::string& s) { return s.substr(4, 32); };
    EXPECT_NE(unique_of(first), unique_of(second));
    EXPECT_EQ(unique_of(first).find_first_not_of("0123456789abcdef"), std::string::npos);
}

// A sequential value the store cannot reserve fails the document (as a value, not a throw),
// naming the sequence and why.
TEST_F(MessageStepTest, ASequenceTheStoreRefusesFailsTheDocument) {
    sequences_refused_ = true;
    const auto outcome = run(R"(  - message:
      template: "{1}"
      variables: [{sequence: invoices}]
)",
                             {"a"});
    EXPECT_FALSE(outcome.ok);
    EXPECT_NE(outcome.error.find("cannot reserve values of the sequence 'invoices'"),
              std::string::npos)
        << outcome.error;
    EXPECT_TRUE(outcome.outputs.empty());
}

}  // namespace ferry::engine::test_steps
