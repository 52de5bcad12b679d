#include "ferry/profiles/wsdl.hpp"

#include <gtest/gtest.h>

#include "ferry/profiles/profile_yaml.hpp"
#include "ferry/profiles/soap_envelope.hpp"

namespace ferry::profiles {
namespace {

profile read(const char* yaml) {
    auto p = read_profile(yaml);
    EXPECT_TRUE(p);
    return *p;
}

const profile order = read(R"(profile: Order
format: xml
root:
  name: Order
  namespace: urn:orders
  elements: [{name: id, type: integer}]
)");
const profile line = read(R"(profile: Line
format: xml
root:
  name: Line
  elements: [{name: sku}]
)");

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

std::vector<wsdl_operation> operations() {
    return {{"createOrder", "Order", message_shape::one, message_shape::none, &order, nullptr},
            {"queryLine", "Line", message_shape::list, message_shape::list, &line, &line},
            {"getStatus", "Status", message_shape::none, message_shape::one, nullptr, nullptr}};
}

}  // namespace

// Document/literal: one wrapper element per message, list wrappers named after the object,
// MoreResults for list replies, SOAP 1.1 and 1.2 bindings and ports.
TEST(WsdlTest, DescribesEveryOperationInBothBindings) {
    const auto ops = operations();
    const auto d = describe_service(ops, {"http://h:1", true, ""});
    ASSERT_TRUE(d) << d.error();
    const auto& w = d->wsdl;
    for (const auto* element :
         {"createOrder", "createOrderResponse", "queryLine", "queryLineResponse",
          "queryLineMoreResults", "getStatus", "getStatusResponse"}) {
        EXPECT_NE(w.find("<xs:element name=\"" + std::string(element) + "\">"), std::string::npos)
            << element;
    }
    EXPECT_NE(w.find(R"(<xs:element name="LineList">)"), std::string::npos);
    EXPECT_NE(w.find(R"(<xs:element name="LineResponseList">)"), std::string::npos);
    EXPECT_NE(w.find(R"(<xs:attribute name="moreDataToken" type="xs:string"/>)"),
              std::string::npos);
    EXPECT_NE(w.find(R"(<xs:element ref="p1:Order"/>)"), std::string::npos);
    EXPECT_NE(w.find(R"(<xs:element name="executionId" type="xs:string"/>)"), std::string::npos);
    EXPECT_NE(w.find(R"(<xs:any processContents="lax" minOccurs="0"/>)"), std::string::npos);
    // 4 wire operations (queryLineMoreResults included) in the port type and both bindings.
    EXPECT_EQ(count(w, "<wsdl:operation name="), 12u);
    EXPECT_EQ(count(w, "<soap:operation "), 4u);
    EXPECT_EQ(count(w, "<soap12:operation "), 4u);
    EXPECT_NE(w.find(R"(<soap:address location="http://h:1/ws/soap"/>)"), std::string::npos);
    EXPECT_NE(w.find(R"(<soap12:address location="http://h:1/ws/soap12"/>)"), std::string::npos);
    // Single: every schema inside; profile namespaces, then the wrappers'.
    ASSERT_EQ(d->schemas.size(), 3u);
    EXPECT_EQ(d->schemas.back().target_namespace, wss_namespace);
    for (const auto& s : d->schemas) EXPECT_NE(w.find(s.text), std::string::npos);
    EXPECT_EQ(w.find("schemaLocation"), std::string::npos);
}

// Multi: schemas by URL (imports carry their locations), except the one without a namespace.
TEST(WsdlTest, MultiModeLinksSchemasByUrl) {
    const auto ops = operations();
    const auto d = describe_service(ops, {"http://h:1", false, "http://h:1/ws/soap?xsd="});
    ASSERT_TRUE(d) << d.error();
    const auto wrappers = std::to_string(d->schemas.size());
    EXPECT_NE(d->wsdl.find(R"(schemaLocation="http://h:1/ws/soap?xsd=)" + wrappers + "\""),
              std::string::npos);
    EXPECT_EQ(d->wsdl.find("urn:orders\" schemaLocation"), std::string::npos);
    const auto& wss = d->schemas.back().text;
    for (std::size_t i = 0; i + 1 < d->schemas.size(); ++i) {
        const auto& s = d->schemas[i];
        if (s.target_namespace.empty()) {
            EXPECT_NE(d->wsdl.find(s.text), std::string::npos);  // inside the WSDL
        } else {
            EXPECT_NE(wss.find("<xs:import namespace=\"" + s.target_namespace +
                               "\" schemaLocation=\"http://h:1/ws/soap?xsd=" +
                               std::to_string(i + 1) + "\"/>"),
                      std::string::npos);
        }
    }
}

// A JSON profile cannot describe a SOAP message.
TEST(WsdlTest, JsonProfilesAreRefused) {
    const auto json = read("profile: Reading\nformat: json\nroot:\n  elements: [{name: v}]\n");
    const std::vector<wsdl_operation> ops{
        {"createReading", "Reading", message_shape::one, message_shape::none, &json, nullptr}};
    const auto d = describe_service(ops, {"http://h", true, ""});
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().find("createReading"), std::string::npos);
}

}  // namespace ferry::profiles
