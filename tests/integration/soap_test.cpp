// The SOAP endpoints against the real binary (issue 5): SOAP 1.1 and 1.2 round trips, list
// wrappers and MoreResults paging, fault shapes and statuses, and the generated WSDL consumed
// by a real SOAP toolkit (python3-zeep) calling operations through it.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {

using test::basic;
using test::ferry_command;

constexpr std::string_view soap11 = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view soap12 = "http://www.w3.org/2003/05/soap-envelope";

constexpr const char* invoice_profile = R"(profile: Invoice
format: xml
root:
  name: Invoice
  namespace: urn:example:invoices
  attributes: [{name: currency, required: true}]
  elements:
    - {name: number, type: integer}
    - {name: issued, type: date, mask: "yyyy-MM-dd"}
    - name: customer
      elements: [{name: name}]
    - name: line
      max: unbounded
      elements:
        - {name: text}
        - {name: quantity, type: integer}
        - {name: amount, type: number}
)";

constexpr const char* verdict_profile = R"(profile: Verdict
format: xml
root:
  name: Verdict
  namespace: urn:example:verdicts
  elements:
    - {name: number, type: integer}
    - {name: ok, type: boolean}
)";

constexpr const char* line_profile = R"(profile: Line
format: xml
root:
  name: Line
  elements:
    - {name: sku}
    - {name: qty, type: integer}
)";

// Synchronous, one document in and out.
constexpr const char* check_invoice = R"(name: checkInvoice
listen: {type: execute, object: Invoice, input: single_xml, output: single_xml,
         request_profile: Invoice, response_profile: Verdict}
steps:
  - message:
      template: '<Verdict xmlns="urn:example:verdicts"><number>{1}</number><ok>true</ok></Verdict>'
      variables: [{element: number}]
  - return: {}
)";

// Asynchronous: the receipt is the answer.
constexpr const char* submit_invoice = R"(name: submitInvoice
listen: {type: create, object: Invoice, input: single_xml, output: none, request_profile: Invoice}
steps:
  - message: {template: "{1}", variables: [current_data]}
)";

// Lists both ways, two documents per page.
constexpr const char* query_lines = R"(name: queryLines
listen: {type: query, object: Line, input: multiple_xml, output: multiple_xml, page_size: 2,
         request_profile: Line, response_profile: Line}
steps:
  - return: {}
)";

// Not for the test user, and JSON (which SOAP does not carry).
constexpr const char* secret = R"(name: secret
listen: {type: get, object: Secret, input: none, output: single_xml}
steps:
  - message: {template: "<Secret/>"}
  - return: {}
)";
constexpr const char* json_op = R"(name: readings
listen: {type: create, object: Readings, input: multiple_json, output: none}
steps:
  - message: {template: "{1}", variables: [current_data]}
)";

const std::string invoice = R"(<i:Invoice currency="EUR"><i:number>42</i:number>)"
                            R"(<i:issued>2026-11-02</i:issued><i:customer><i:name>ACME</i:name>)"
                            R"(</i:customer><i:line><i:text>Consulting</i:text>)"
                            R"(<i:quantity>2</i:quantity><i:amount>1200.00</i:amount></i:line>)"
                            R"(</i:Invoice>)";

std::string envelope(std::string_view version_ns, const std::string& body,
                     const std::string& header = "") {
    return R"(<?xml version="1.0" encoding="UTF-8"?>)"
           "\n<soapenv:Envelope xmlns:soapenv=\"" +
           std::string(version_ns) +
           "\" xmlns:wss=\"http://www.boomi.com/connector/wss\" "
           "xmlns:i=\"urn:example:invoices\">\n" +
           header + "  <soapenv:Body>\n    " + body + "\n  </soapenv:Body>\n</soapenv:Envelope>\n";
}

std::string lines(int from, int to) {
    std::string out;
    for (int i = from; i <= to; ++i) {
        out += "<Line><sku>A-" + std::to_string(i) + "</sku><qty>" + std::to_string(i) +
               "</qty></Line>";
    }
    return out;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// The text between <name ...> and </name> (first occurrence), or "".
std::string element_text(const std::string& xml, const std::string& name) {
    const auto open = xml.find("<" + name);
    if (open == std::string::npos) return {};
    const auto start = xml.find('>', open) + 1;
    const auto end = xml.find("</" + name + ">", start);
    return end == std::string::npos ? std::string() : xml.substr(start, end - start);
}

std::string attribute(const std::string& xml, const std::string& name) {
    const auto at = xml.find(" " + name + "=\"");
    if (at == std::string::npos) return {};
    const auto start = at + name.size() + 3;
    return xml.substr(start, xml.find('"', start) - start);
}

class SoapTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("Invoice.profile.yaml", invoice_profile);
        processes_.write("Verdict.profile.yaml", verdict_profile);
        processes_.write("Line.profile.yaml", line_profile);
        processes_.write("checkInvoice.yaml", check_invoice);
        processes_.write("submitInvoice.yaml", submit_invoice);
        processes_.write("queryLines.yaml", query_lines);
        processes_.write("secret.yaml", secret);
        processes_.write("readings.yaml", json_op);
        const auto users = "--data " + data_.str();
        token_ = ferry_command(
                     "user add soapy --operation executeInvoice --operation "
                     "createInvoice --operation queryLine --operation createReadings " +
                     users)
                     .value_or("");
        ASSERT_FALSE(token_.empty());
        admin_token_ = ferry_command("user add ops --admin " + users).value_or("");
        server_ = std::make_unique<test::server_process>(
            processes_.str(), data_.str(), std::vector<std::string>{"--auth", "basic"});
    }

    test::http_reply post(const std::string& path, const std::string& body,
                          std::string_view content_type = "text/xml; charset=utf-8") {
        auto headers = basic("soapy", token_);
        headers["Content-Type"] = std::string(content_type);
        return test::http_request(server_->port(), "POST", path, body, headers);
    }

    test::temp_dir processes_;
    test::temp_dir data_;
    std::string token_;
    std::string admin_token_;
    std::unique_ptr<test::server_process> server_;
};

}  // namespace

// One document in, one out, in the operation's wrappers, over both SOAP versions.
TEST_F(SoapTest, SingleDocumentRoundTripsOverSoap11And12) {
    const auto body = "<wss:executeInvoice>" + invoice + "</wss:executeInvoice>";
    const auto r11 = post("/ws/soap", envelope(soap11, body));
    ASSERT_EQ(r11.status, 200) << r11.body;
    EXPECT_EQ(r11.headers.at("Content-Type"), "text/xml; charset=utf-8");
    EXPECT_NE(r11.body.find(std::string("<soap:Envelope xmlns:soap=\"") + std::string(soap11)),
              std::string::npos);
    const auto reply = element_text(r11.body, "wss:executeInvoiceResponse");
    EXPECT_EQ(
        reply,
        R"(<Verdict xmlns="urn:example:verdicts"><number>42</number><ok>true</ok></Verdict>)");
    EXPECT_FALSE(r11.headers.at("X-Execution-Id").empty());

    const auto r12 =
        post("/ws/soap12", envelope(soap12, body), "application/soap+xml; charset=utf-8");
    ASSERT_EQ(r12.status, 200) << r12.body;
    EXPECT_EQ(r12.headers.at("Content-Type"), "application/soap+xml; charset=utf-8");
    EXPECT_NE(r12.body.find(std::string(soap12)), std::string::npos);
    EXPECT_EQ(element_text(r12.body, "wss:executeInvoiceResponse"), reply);

    // The stored request document is the invoice alone, standing on its own namespaces.
    const auto id = r11.headers.at("X-Execution-Id");
    const auto doc = test::http_request(server_->port(), "GET",
                                        "/_admin/executions/" + id + "/documents/" + id + "-0", "",
                                        basic("ops", admin_token_));
    ASSERT_EQ(doc.status, 200) << doc.body;
    EXPECT_NE(doc.body.find(R"(xmlns:i=\"urn:example:invoices\")"), std::string::npos) << doc.body;
    EXPECT_EQ(doc.body.find("Envelope"), std::string::npos);
}

// An asynchronous operation answers its receipt once the document is stored.
TEST_F(SoapTest, AsynchronousOperationAnswersTheReceipt) {
    const auto r = post("/ws/soap",
                        envelope(soap11, "<wss:createInvoice>" + invoice + "</wss:createInvoice>"));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto id = element_text(r.body, "wss:executionId");
    EXPECT_EQ(id, r.headers.at("X-Execution-Id"));
    EXPECT_EQ(element_text(r.body, "wss:documentCount"), "1");
    EXPECT_EQ(element_text(r.body, "wss:documentId"), id + "-0");
    EXPECT_EQ(element_text(r.body, "wss:durability"), "fsync");
}

// Lists travel in the wss list wrappers; a long reply is paged with <opMoreResults>.
TEST_F(SoapTest, ListsUseTheWrappersAndPageWithMoreResults) {
    const auto r = post("/ws/soap", envelope(soap11, "<wss:queryLine><wss:LineList>" + lines(1, 5) +
                                                         "</wss:LineList></wss:queryLine>"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.count("Link"), 0u);
    std::string page = r.body;
    std::vector<std::string> seen;
    for (int round = 0; round < 5; ++round) {
        const auto list = element_text(page, "wss:LineResponseList");
        for (int i = 1; i <= 5; ++i) {
            if (list.find("<sku>A-" + std::to_string(i) + "</sku>") != std::string::npos) {
                seen.push_back("A-" + std::to_string(i));
            }
        }
        EXPECT_LE(count(list, "<Line>"), 2u);
        const auto token = attribute(page, "moreDataToken");
        if (token.empty()) break;
        const auto next =
            post("/ws/soap12",
                 envelope(soap12, "<wss:queryLineMoreResults><wss:moreDataToken>" + token +
                                      "</wss:moreDataToken></wss:queryLineMoreResults>"),
                 "application/soap+xml");
        ASSERT_EQ(next.status, 200) << next.body;
        EXPECT_NE(next.body.find("<wss:queryLineResponse"), std::string::npos);
        page = next.body;
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"A-1", "A-2", "A-3", "A-4", "A-5"}));

    const auto unknown =
        post("/ws/soap", envelope(soap11,
                                  "<wss:queryLineMoreResults><wss:moreDataToken>"
                                  "nope</wss:moreDataToken></wss:queryLineMoreResults>"));
    EXPECT_EQ(unknown.status, 500);
    EXPECT_NE(unknown.body.find("<ferry:error>unknown_token</ferry:error>"), std::string::npos);
}

// Errors are SOAP faults: SOAP 1.1 answers 500 (Client/Server), SOAP 1.2 400 for Sender
// faults; refusals of the HTTP exchange keep their status. Nothing bad is stored.
TEST_F(SoapTest, ErrorsAreFaultsWithTheRightStatus) {
    auto bad = invoice;
    bad.replace(bad.find("<i:quantity>2"), 13, "<i:quantity>two");
    const auto invalid =
        post("/ws/soap", envelope(soap11, "<wss:createInvoice>" + bad + "</wss:createInvoice>"));
    EXPECT_EQ(invalid.status, 500);
    EXPECT_EQ(element_text(invalid.body, "faultcode"), "soap:Client");
    EXPECT_NE(element_text(invalid.body, "faultstring").find("/Invoice/line[1]/quantity"),
              std::string::npos);
    EXPECT_NE(invalid.body.find(R"(path="/Invoice/line[1]/quantity")"), std::string::npos);
    // Where the bad value is in the envelope as sent (line 4; Xerces reports the end of the
    // element), not in the document cut out of it.
    const auto sent = envelope(soap11, "<wss:createInvoice>" + bad + "</wss:createInvoice>");
    const auto line4 = sent.find("    <wss:createInvoice>");
    const auto column = sent.find("two</i:quantity>") + 16 - line4 + 1;
    EXPECT_NE(invalid.body.find("line=\"4\" column=\"" + std::to_string(column) + "\""),
              std::string::npos)
        << invalid.body;
    EXPECT_NE(invalid.body.find(R"(rule="type integer")"), std::string::npos);

    const auto invalid12 =
        post("/ws/soap12", envelope(soap12, "<wss:createInvoice>" + bad + "</wss:createInvoice>"),
             "application/soap+xml");
    EXPECT_EQ(invalid12.status, 400);
    EXPECT_EQ(element_text(invalid12.body, "soap:Value"), "soap:Sender");
    EXPECT_NE(invalid12.body.find("<soap:Text xml:lang=\"en\">"), std::string::npos);

    const auto unknown = post("/ws/soap", envelope(soap11, "<wss:deleteEverything/>"));
    EXPECT_EQ(unknown.status, 500);
    EXPECT_NE(unknown.body.find("<ferry:error>unknown_operation</ferry:error>"), std::string::npos);

    // A 1.2 envelope at the 1.1 endpoint, a header block nobody understands.
    const auto mismatch = post(
        "/ws/soap", envelope(soap12, "<wss:createInvoice>" + invoice + "</wss:createInvoice>"));
    EXPECT_EQ(mismatch.status, 500);
    EXPECT_EQ(element_text(mismatch.body, "faultcode"), "soap:VersionMismatch");
    const auto must =
        post("/ws/soap12",
             envelope(soap12, "<wss:createInvoice>" + invoice + "</wss:createInvoice>",
                      "  <soapenv:Header><t:Tx xmlns:t=\"urn:tx\" "
                      "soapenv:mustUnderstand=\"true\">1</t:Tx></soapenv:Header>\n"),
             "application/soap+xml");
    EXPECT_EQ(must.status, 500);
    EXPECT_EQ(element_text(must.body, "soap:Value"), "soap:MustUnderstand");

    // Not XML, not an envelope, a JSON operation, an operation this user may not call.
    const auto garbage = post("/ws/soap", "<soapenv:Envelope");
    EXPECT_EQ(garbage.status, 500);
    EXPECT_NE(garbage.body.find("<ferry:error>invalid_soap</ferry:error>"), std::string::npos);
    const auto json = post("/ws/soap", envelope(soap11, "<wss:createReadings/>"));
    EXPECT_NE(json.body.find("<ferry:error>not_a_soap_operation</ferry:error>"), std::string::npos);
    const auto forbidden = post("/ws/soap", envelope(soap11, "<wss:getSecret/>"));
    EXPECT_EQ(forbidden.status, 403);
    EXPECT_EQ(element_text(forbidden.body, "faultcode"), "soap:Client");

    // Without credentials: 401, as a fault.
    const auto anonymous =
        test::http_request(server_->port(), "POST", "/ws/soap",
                           envelope(soap11, "<wss:getSecret/>"), {{"Content-Type", "text/xml"}});
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_NE(anonymous.body.find("<faultcode>soap:Client</faultcode>"), std::string::npos);

    // A method the endpoint does not take: 405 with Allow, as a fault of its SOAP version.
    auto put_headers = basic("soapy", token_);
    put_headers["Content-Type"] = "application/soap+xml";
    const auto put = test::http_request(server_->port(), "PUT", "/ws/soap12",
                                        envelope(soap12, "<wss:createInvoice/>"), put_headers);
    EXPECT_EQ(put.status, 405);
    EXPECT_EQ(put.headers.at("Allow"), "GET, POST");
    EXPECT_EQ(element_text(put.body, "soap:Value"), "soap:Sender");

    // An external entity is never resolved.
    const auto entity =
        post("/ws/soap",
             R"(<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>)" +
                 envelope(soap11, "<wss:createInvoice>&x;</wss:createInvoice>").substr(38));
    EXPECT_EQ(entity.status, 500);
    EXPECT_EQ(entity.body.find("root:"), std::string::npos);
}

// The WSDL lists what the caller may call, and a real SOAP toolkit calls through it.
TEST_F(SoapTest, GeneratedWsdlWorksWithARealSoapClient) {
    const auto wsdl = test::http_request(server_->port(), "GET", "/ws/soap?wsdl=single", "",
                                         basic("soapy", token_));
    ASSERT_EQ(wsdl.status, 200) << wsdl.body;
    EXPECT_NE(wsdl.body.find("<wsdl:operation name=\"executeInvoice\">"), std::string::npos);
    EXPECT_NE(wsdl.body.find("<wsdl:operation name=\"queryLineMoreResults\">"), std::string::npos);
    EXPECT_EQ(wsdl.body.find("getSecret"), std::string::npos);       // not this user's
    EXPECT_EQ(wsdl.body.find("createReadings"), std::string::npos);  // JSON: not SOAP
    // Addressed the way this server was called (the test client sends Host: 127.0.0.1).
    EXPECT_NE(wsdl.body.find("<soap:address location=\"http://127.0.0.1/ws/soap\"/>"),
              std::string::npos);
    const auto multi =
        test::http_request(server_->port(), "GET", "/ws/soap?wsdl", "", basic("soapy", token_));
    ASSERT_EQ(multi.status, 200);
    EXPECT_NE(multi.body.find("schemaLocation=\"http://127.0.0.1/ws/soap?xsd="), std::string::npos);
    EXPECT_EQ(test::http_request(server_->port(), "GET", "/ws/soap?wsdl").status, 401);

    const std::string command =
        "/usr/bin/python3 " + std::string(FERRY_TEST_DATA_DIR) +
        "/soap/zeep_client.py http://127.0.0.1:" + std::to_string(server_->port()) + " soapy " +
        token_ + " 2>&1";
    FILE* out = ::popen(command.c_str(), "r");
    ASSERT_NE(out, nullptr);
    std::string text;
    char buf[512];
    while (const auto n = std::fread(buf, 1, sizeof buf, out)) text.append(buf, n);
    const int status = ::pclose(out);
    EXPECT_EQ(status, 0) << text;
    EXPECT_EQ(count(text, "ok "), 4u) << text;
}

}  // namespace ferry
