// map: fields from one shape into another, XML and JSON both ways (SPEC §3).
#include "harness.hpp"

namespace ferry::engine::test_steps {

using MapStep = StepTest;

// JSON to XML: nested paths, an attribute, a constant, a template over element variables,
// a repeated element from an array, and a missing optional field left out.
TEST_F(MapStep, JsonToXmlByElementPath) {
    const auto out = run(R"Y(- id: to-erp
  map:
    output: xml
    root: PurchaseOrder
    namespace: urn:erp
    fields:
      - {to: "@number", from: id}
      - {to: Buyer/Name, from: customer/name}
      - {to: Buyer/Label, template: "{1} ({2})", variables: [{element: customer/name}, {element: customer/country}]}
      - {to: Currency, constant: EUR}
      - {to: Phone, from: customer/phone}
      - to: Lines/Line
        each: items
        fields:
          - {to: "@sku", from: sku}
          - {to: Quantity, from: qty}
)Y",
                         {R"({"id": 42, "customer": {"name": "Ada & Co", "country": "CH"},
                              "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}]})"});
    ASSERT_TRUE(out.ok) << out.error;
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].doc.data,
              R"(<PurchaseOrder xmlns="urn:erp" number="42"><Buyer><Name>Ada &amp; Co</Name>)"
              R"(<Label>Ada &amp; Co (CH)</Label></Buyer><Currency>EUR</Currency><Lines>)"
              R"(<Line sku="A-1"><Quantity>2</Quantity></Line><Line sku="B-7"><Quantity>1)"
              R"(</Quantity></Line></Lines></PurchaseOrder>)");
    EXPECT_EQ(out.outputs[0].doc.props.at("name"), "n0");  // properties travel with the document
}

// XML to JSON: attributes and namespaced elements are read by local name; types are chosen
// per field; a one-item each still gives an array; dates are reformatted by mask.
TEST_F(MapStep, XmlToJsonWithTypesAndDates) {
    const auto out =
        run(R"Y(- map:
    output: json
    fields:
      - {to: orderId, from: "@id", type: number}
      - {to: placed, from: Header/Date, date: {from: "dd.MM.yyyy", to: "yyyy-MM-dd"}}
      - {to: rush, from: Header/Rush, type: boolean}
      - {to: region, from: Header/Region, function: upper, default: eu}
      - to: lines
        each: Line
        fields:
          - {to: sku, from: "@sku", function: trim}
          - {to: qty, from: Qty, type: number}
)Y",
            {R"(<o:Order xmlns:o="urn:o" id="17"><o:Header><o:Date>03.11.2026</o:Date>)"
             R"(<o:Rush>true</o:Rush></o:Header><o:Line sku=" A "><o:Qty>3</o:Qty>)"
             R"(</o:Line></o:Order>)"});
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(
        out.outputs.at(0).doc.data,
        R"({"orderId":17,"placed":"2026-11-03","rush":true,"region":"EU","lines":[{"sku":"A","qty":3}]})");
}

// JSON to JSON keeps a number a number, and moves a whole structure under a new name.
TEST_F(MapStep, JsonToJsonKeepsTypesAndMovesStructures) {
    const auto out = run(R"Y(- map:
    output: json
    fields:
      - {to: total, from: amount}
      - {to: buyer, from: customer}
)Y",
                         {R"({"amount": 12.5, "customer": {"name": "Ada", "vip": true}})"});
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(out.outputs.at(0).doc.data, R"({"total":12.5,"buyer":{"name":"Ada","vip":true}})");
}

// Without fields a map converts the whole document.
TEST_F(MapStep, WithoutFieldsConvertsTheDocument) {
    const auto out = run("- map: {output: xml, root: Order}\n", {R"({"id":"7","tags":["a","b"]})"});
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(out.outputs.at(0).doc.data, "<Order><id>7</id><tags>a</tags><tags>b</tags></Order>");
}

// Each document fails on its own, with a sentence naming the field: a required source that
// is absent, a value that is not a number, a date that does not fit its mask, a body that is
// neither XML nor JSON. Good documents pass.
TEST_F(MapStep, BadDocumentsFailAlone) {
    const auto out =
        run(R"Y(- id: m
  map:
    output: json
    fields:
      - {to: id, from: id, required: true}
      - {to: qty, from: qty, type: number}
      - {to: day, from: day, date: {from: yyyy-MM-dd, to: yyyyMMdd}}
)Y",
            {R"({"id":"1","qty":"2","day":"2026-01-31"})", R"({"qty":"2"})",
             R"({"id":"3","qty":"many"})", R"({"id":"4","day":"2026-02-31"})", "not a document"});
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].doc.data, R"({"id":"1","qty":2,"day":"20260131"})");
    ASSERT_EQ(out.failures.size(), 4u);
    EXPECT_EQ(out.failures[0].error, "map: field 'id': the source 'id' is absent");
    EXPECT_EQ(out.failures[1].error, "map: field 'qty': 'many' is not a number");
    EXPECT_EQ(out.failures[2].error,
              "map: field 'day': '2026-02-31' is not a date like 'yyyy-MM-dd'");
    EXPECT_NE(out.failures[3].error.find("neither XML nor valid JSON"), std::string::npos);
    EXPECT_EQ(out.failures[0].step, "m");
}

// Decisions and routes read element paths too.
TEST_F(MapStep, ElementVariablesDriveRoutes) {
    const auto out =
        run(R"Y(- route:
    value: {element: shipTo/region}
    routes:
      - when: EU
        steps:
          - set_properties: [{document: lane, value: {static: eu}}]
    default:
      - set_properties: [{document: lane, value: {static: other}}]
)Y",
            {R"({"shipTo":{"region":"EU"}})", "<o><shipTo><region>US</region></shipTo></o>"});
    ASSERT_EQ(out.outputs.size(), 2u);
    EXPECT_EQ(out.outputs[0].doc.props.at("lane"), "eu");
    EXPECT_EQ(out.outputs[1].doc.props.at("lane"), "other");
}

// Definition mistakes are caught at load with the place and a sentence.
TEST_F(MapStep, DefinitionMistakes) {
    const auto error_of = [&](const std::string& steps) {
        try {
            run(steps, {});
        } catch (const definition_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(error_of("- map: {output: csv}\n").find("map output must be json or xml"),
              std::string::npos);
    EXPECT_NE(error_of("- map: {output: json, fields: [{to: a, from: b, constant: c}]}\n")
                  .find("exactly one of from, constant, template or each"),
              std::string::npos);
    EXPECT_NE(error_of("- map: {output: json, fields: [{to: a/@b/c, from: b}]}\n")
                  .find("optionally ending in @attribute"),
              std::string::npos);
    EXPECT_NE(error_of("- map: {output: json, root: X}\n").find("applies to output xml"),
              std::string::npos);
}

}  // namespace ferry::engine::test_steps
