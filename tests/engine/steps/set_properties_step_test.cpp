#include "harness.hpp"

namespace ferry::engine::test_steps {

using SetPropertiesStepTest = StepTest;

// Document properties are set per document, in order (a later assignment reads an earlier
// one); process properties are shared by the execution.
TEST_F(SetPropertiesStepTest, SetsDocumentAndProcessProperties) {
    const auto outcome = run(R"(  - set_properties:
      - document: region
        value: current_data
      - document: label
        template: "{1}-{2}"
        variables: [{document_property: name}, {document_property: region}]
      - process: last_region
        value: {document_property: region}
  - message:
      template: "{1} {2}"
      variables: [{document_property: label}, {process_property: last_region}]
)",
                             {"EU", "US"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(outcome.outputs[0].doc.props.at("region"), "EU");
    EXPECT_EQ(data(outcome.outputs), (std::vector<std::string>{"n0-EU US", "n1-US US"}));
    EXPECT_EQ(outcome.process_props.at("last_region"), "US");
}

}  // namespace ferry::engine::test_steps
