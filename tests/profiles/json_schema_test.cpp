// OpenAPI schemas of profiles: types, formats, required, repetition, XML names and
// namespaces; and the pattern an XML document's text matches.
#include "ferry/profiles/json_schema.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "ferry/profiles/profile_yaml.hpp"

namespace ferry::profiles {
namespace {

profile read(const char* text) {
    auto p = read_profile(text);
    if (!p) throw std::runtime_error(p.error().describe("test"));
    return *p;
}

constexpr const char* invoice = R"(profile: Invoice
format: xml
root:
  name: Invoice
  namespace: urn:example:invoices
  attributes:
    - {name: currency, required: true}
  elements:
    - {name: number, type: integer}
    - {name: issued, type: date, mask: "dd.MM.yyyy"}
    - {name: note, min: 0}
    - name: line
      max: 3
      elements:
        - {name: amount, type: number}
)";

TEST(OpenApiSchema, XmlNamesNamespacesAndAttributes) {
    const auto s = openapi_schema(read(invoice));
    EXPECT_EQ(s.at("xml").at("name").as_string(), "Invoice");
    EXPECT_EQ(s.at("xml").at("namespace").as_string(), "urn:example:invoices");
    const auto& props = s.at("properties").as_object();
    EXPECT_TRUE(props.at("currency").at("xml").at("attribute").as_bool());
    EXPECT_EQ(props.at("number").at("type").as_string(), "integer");
    EXPECT_EQ(props.at("issued").at("type").as_string(), "string");
    EXPECT_TRUE(props.at("issued").as_object().contains("pattern"));
    EXPECT_EQ(props.at("line").at("type").as_string(), "array");
    EXPECT_EQ(props.at("line").at("maxItems").to_number<std::int64_t>(), 3);
    EXPECT_EQ(props.at("line").at("items").at("xml").at("name").as_string(), "line");
    EXPECT_EQ(s.at("required"), (boost::json::array{"currency", "number", "issued", "line"}));
}

TEST(OpenApiSchema, JsonTypesFormatsAndTopLevelArrays) {
    const auto s = openapi_schema(read(R"(profile: Items
format: json
root:
  max: unbounded
  elements:
    - {name: sku}
    - {name: due, type: date, mask: yyyy-MM-dd, nullable: true}
    - {name: ok, type: boolean, min: 0}
)"));
    EXPECT_EQ(s.at("type").as_string(), "array");
    const auto& item = s.at("items").as_object();
    EXPECT_EQ(item.at("properties").at("due").at("format").as_string(), "date");
    EXPECT_TRUE(item.at("properties").at("due").at("nullable").as_bool());
    EXPECT_FALSE(item.contains("xml"));
    EXPECT_EQ(item.at("required"), (boost::json::array{"sku", "due"}));
}

TEST(XmlDocumentPattern, MatchesWhatFitsTheProfileAndNothingElse) {
    const std::regex pattern(xml_document_pattern(read(invoice)), std::regex::ECMAScript);
    const std::string good =
        "<?xml version=\"1.0\"?>\n<i:Invoice xmlns:i=\"urn:example:invoices\" currency=\"EUR\">"
        "<i:number> 42 </i:number><i:issued>29.02.2024</i:issued>"
        "<i:line><i:amount>1.5</i:amount></i:line><i:line><i:amount>-2</i:amount></i:line>"
        "</i:Invoice>\n";
    EXPECT_TRUE(std::regex_match(good, pattern));
    const auto without = [&](const std::string& from, const std::string& to) {
        auto text = good;
        text.replace(text.find(from), from.size(), to);
        return text;
    };
    EXPECT_FALSE(std::regex_match(without("> 42 <", ">abc<"), pattern));           // a type
    EXPECT_FALSE(std::regex_match(without(" currency=\"EUR\"", ""), pattern));     // an attribute
    EXPECT_FALSE(std::regex_match(without("<i:issued>29.02.2024</i:issued>", ""),  // an element
                                  pattern));
    EXPECT_FALSE(std::regex_match(without("29.02.2024", "2024-02-29"), pattern));  // a mask
    std::string four_lines = good;
    const std::string line = "<i:line><i:amount>1</i:amount></i:line>";
    four_lines.insert(four_lines.find("</i:Invoice>"), line + line);
    EXPECT_FALSE(std::regex_match(four_lines, pattern));  // more than max
}

}  // namespace
}  // namespace ferry::profiles
