#include "ferry/profiles/soap_envelope.hpp"

#include <gtest/gtest.h>

#include "ferry/profiles/xml_runtime.hpp"

namespace ferry::profiles {

class SoapEnvelopeTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { runtime_ = new xml_runtime(); }
    static void TearDownTestSuite() { delete runtime_; }
    static inline xml_runtime* runtime_ = nullptr;
};

// The Body's element names the operation; each child is cut out whole, with the namespace
// declarations of the Envelope, Body and operation element it relies on.
TEST_F(SoapEnvelopeTest, OperationAndStandAloneDocuments) {
    const std::string text =
        R"(<?xml version="1.0"?>)"
        "\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:o=\"urn:o\">"
        "<s:Header/>\n"
        " <s:Body xmlns:b=\"urn:b\"><w:createOrder xmlns:w=\"http://www.boomi.com/connector/wss\">"
        "<!-- a comment -->\n"
        "   <o:Order id=\"1\"><b:x/></o:Order>\n"
        "   <Order xmlns=\"urn:own\" xmlns:o=\"urn:mine\"/>"
        "</w:createOrder></s:Body></s:Envelope>";
    const auto r = read_soap_envelope(text);
    ASSERT_TRUE(r) << r.error().where.message;
    EXPECT_EQ(r->version, soap_version::v1_1);
    EXPECT_EQ(r->operation, "createOrder");
    EXPECT_EQ(r->operation_namespace, wss_namespace);
    ASSERT_EQ(r->payload.size(), 2u);
    EXPECT_EQ(
        r->payload[0],
        R"(<o:Order xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:o="urn:o" )"
        R"(xmlns:b="urn:b" xmlns:w="http://www.boomi.com/connector/wss" id="1"><b:x/></o:Order>)");
    // Its own declarations win over inherited ones of the same name.
    EXPECT_NE(r->payload[1].find(R"(xmlns:o="urn:mine")"), std::string::npos);
    EXPECT_EQ(r->payload[1].find(R"(xmlns:o="urn:o")"), std::string::npos);
    EXPECT_TRUE(r->must_understand.empty());

    // Positions in a payload element map back to the envelope: line 4, past the added
    // declarations on the start tag's line.
    ASSERT_EQ(r->origins.size(), 2u);
    EXPECT_EQ(r->origins[0].line, 4u);
    EXPECT_EQ(r->origins[0].column, 4u);
    const auto id_column = r->payload[0].find("id=") + 1;
    EXPECT_EQ(r->in_envelope(0, 1, id_column), (std::pair<std::size_t, std::size_t>{4, 13}));
    EXPECT_EQ(r->in_envelope(0, 2, 7), (std::pair<std::size_t, std::size_t>{5, 7}));
}

TEST_F(SoapEnvelopeTest, Soap12AndMustUnderstandHeaders) {
    const auto r = read_soap_envelope(
        R"(<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header>)"
        R"(<t:Tx xmlns:t="urn:t" env:mustUnderstand="true">1</t:Tx><t:Note xmlns:t="urn:t">x</t:Note>)"
        R"(</env:Header><env:Body><getOrders/></env:Body></env:Envelope>)");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->version, soap_version::v1_2);
    EXPECT_EQ(r->operation, "getOrders");
    EXPECT_TRUE(r->payload.empty());
    EXPECT_EQ(r->must_understand, std::vector<std::string>{"t:Tx"});
}

// What is not a SOAP request ferry serves is refused with the position of the problem.
TEST_F(SoapEnvelopeTest, RefusalsSayWhereAndWhy) {
    const auto other_ns =
        read_soap_envelope(R"(<e:Envelope xmlns:e="urn:nope"><e:Body/></e:Envelope>)");
    ASSERT_FALSE(other_ns);
    EXPECT_TRUE(other_ns.error().version_mismatch);

    const auto not_envelope = read_soap_envelope("<Order/>");
    ASSERT_FALSE(not_envelope);
    EXPECT_FALSE(not_envelope.error().version_mismatch);
    EXPECT_NE(not_envelope.error().where.message.find("SOAP <Envelope>"), std::string::npos);

    const std::string s11 = R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)";
    EXPECT_FALSE(read_soap_envelope(s11 + "</s:Envelope>"));                           // no Body
    EXPECT_FALSE(read_soap_envelope(s11 + "<s:Body/></s:Envelope>"));                  // empty Body
    EXPECT_FALSE(read_soap_envelope(s11 + "<s:Body><a/><b/></s:Body></s:Envelope>"));  // two
    const auto text = read_soap_envelope(s11 + "<s:Body><a>loose text</a></s:Body></s:Envelope>");
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().where.line, 1u);
    EXPECT_NE(text.error().where.message.find("text directly inside <a>"), std::string::npos);
    EXPECT_FALSE(read_soap_envelope(s11 + "<s:Body><a>"));  // not well-formed

    // SOAP forbids DTDs; external entities are never fetched.
    const auto entity = read_soap_envelope(
        R"(<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>)" +
        s11 + "<s:Body><a>&x;</a></s:Body></s:Envelope>");
    ASSERT_FALSE(entity);
}

TEST_F(SoapEnvelopeTest, WritesEnvelopesOfBothVersions) {
    EXPECT_EQ(
        soap_envelope(soap_version::v1_1, "<a/>"),
        R"(<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><a/></soap:Body></soap:Envelope>)");
    EXPECT_NE(soap_envelope(soap_version::v1_2, "<a/>").find(soap12_namespace), std::string::npos);
}

}  // namespace ferry::profiles
