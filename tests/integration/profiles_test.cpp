// Request profiles against the real binary: documents that do not fit are refused before they
// are stored, with the path, line, column and rule of the first problem; the profile travels
// with the deployed definition.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {

constexpr const char* invoice_profile = R"(profile: Invoice
format: xml
root:
  name: Invoice
  namespace: urn:example:invoices
  attributes: [{name: currency, required: true}]
  elements:
    - {name: number, type: integer}
    - {name: issued, type: date, mask: "yyyy-MM-dd"}
    - name: line
      max: unbounded
      elements:
        - {name: text}
        - {name: amount, type: number}
)";

constexpr const char* invoice_process = R"(name: submitInvoice
listen: {type: create, object: Invoice, input: single_xml, output: none,
         request_profile: Invoice}
steps:
  - message: {template: "{1}", variables: [current_data]}
)";

constexpr const char* reading_profile = R"(profile: Reading
format: json
root:
  elements:
    - {name: sensor}
    - {name: value, type: number}
)";

constexpr const char* reading_process = R"(name: createReadings
listen: {type: create, object: Readings, input: multiple_json, output: none,
         request_profile: Reading}
steps:
  - message: {template: "{1}", variables: [current_data]}
)";

const std::string good_invoice = R"(<Invoice xmlns="urn:example:invoices" currency="EUR">
  <number>7</number>
  <issued>2024-02-29</issued>
  <line><text>Consulting</text><amount>1200.00</amount></line>
  <line><text>Travel</text><amount>85.5</amount></line>
</Invoice>)";

boost::json::object parsed(const test::http_reply& r) {
    return boost::json::parse(r.body).as_object();
}

std::size_t executions(std::uint16_t port) {
    const auto r = test::http_request(port, "GET", "/_admin/executions?limit=1000");
    return parsed(r).at("executions").as_array().size();
}

class ProfilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("Invoice.profile.yaml", invoice_profile);
        processes_.write("submitInvoice.yaml", invoice_process);
        processes_.write("Reading.profile.yaml", reading_profile);
        processes_.write("createReadings.yaml", reading_process);
    }
    test::temp_dir processes_;
    test::temp_dir data_;
};

}  // namespace

// A document that fits is acknowledged; one that does not is a 400 naming where and why,
// and nothing is stored for it.
TEST_F(ProfilesTest, XmlRequestsAreValidatedBeforeTheyAreStored) {
    test::server_process server(processes_.str(), data_.str());
    const auto ok = test::http_request(server.port(), "POST", "/ws/simple/createInvoice",
                                       good_invoice, {{"Content-Type", "application/xml"}});
    ASSERT_EQ(ok.status, 202) << ok.body;
    const auto stored = executions(server.port());

    auto bad = good_invoice;
    bad.replace(bad.find("85.5"), 4, "lots");
    const auto refused = test::http_request(server.port(), "POST", "/ws/simple/createInvoice", bad,
                                            {{"Content-Type", "application/xml"}});
    ASSERT_EQ(refused.status, 400) << refused.body;
    const auto body = parsed(refused);
    EXPECT_EQ(body.at("error").as_string(), "invalid_document");
    const auto& problem = body.at("problem").as_object();
    EXPECT_EQ(problem.at("profile").as_string(), "Invoice");
    EXPECT_EQ(problem.at("path").as_string(), "/Invoice/line[2]/amount");
    EXPECT_EQ(problem.at("line").as_int64(), 5);
    EXPECT_GT(problem.at("column").as_int64(), 0);
    EXPECT_EQ(problem.at("rule").as_string(), "type number");
    EXPECT_NE(body.at("detail").as_string().find("/Invoice/line[2]/amount"), std::string::npos);

    auto no_currency = good_invoice;
    no_currency.replace(no_currency.find(R"( currency="EUR")"), 15, "");
    const auto missing = test::http_request(server.port(), "POST", "/ws/simple/createInvoice",
                                            no_currency, {{"Content-Type", "application/xml"}});
    ASSERT_EQ(missing.status, 400);
    EXPECT_EQ(parsed(missing).at("problem").at("rule").as_string(), "required attribute");

    // An external entity is refused, not resolved.
    const auto entity = test::http_request(
        server.port(), "POST", "/ws/simple/createInvoice",
        R"(<?xml version="1.0"?><!DOCTYPE i [<!ENTITY x SYSTEM "file:///etc/passwd">]>)" +
            good_invoice);
    EXPECT_EQ(entity.status, 400);
    EXPECT_EQ(entity.body.find("root:"), std::string::npos);
    EXPECT_EQ(executions(server.port()), stored);
}

// In a list, the first document that does not fit refuses the whole request (none stored).
TEST_F(ProfilesTest, JsonListsNameTheDocument) {
    test::server_process server(processes_.str(), data_.str());
    const auto ok = test::http_request(server.port(), "POST", "/ws/simple/createReadings",
                                       R"([{"sensor":"a","value":1},{"sensor":"b","value":2.5}])");
    ASSERT_EQ(ok.status, 202) << ok.body;
    const auto stored = executions(server.port());
    const auto refused = test::http_request(
        server.port(), "POST", "/ws/simple/createReadings",
        R"([{"sensor":"a","value":1},{"sensor":"b","value":"high"},{"sensor":"c"}])");
    ASSERT_EQ(refused.status, 400) << refused.body;
    const auto body = parsed(refused);
    const auto& problem = body.at("problem").as_object();
    EXPECT_EQ(problem.at("document").as_int64(), 2);
    EXPECT_EQ(problem.at("path").as_string(), "/value");
    EXPECT_EQ(problem.at("rule").as_string(), "type number");
    EXPECT_EQ(executions(server.port()), stored);
}

// A bulk ndjson upload is checked line by line as it streams; the bad line refuses it all.
TEST_F(ProfilesTest, BulkLinesAreChecked) {
    processes_.write("bulkReadings.yaml", R"(name: bulkReadings
listen: {type: create, object: Bulk, input: ndjson, output: none, request_profile: Reading}
steps:
  - message: {template: "{1}", variables: [current_data]}
)");
    test::server_process server(processes_.str(), data_.str());
    const auto stored = executions(server.port());
    const auto refused = test::http_request(
        server.port(), "POST", "/ws/simple/createBulk",
        "{\"sensor\":\"a\",\"value\":1}\n\n{\"sensor\":\"b\",\"value\":2}\n{\"sensor\":\"c\"}\n",
        {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(refused.status, 400) << refused.body;
    const auto body = parsed(refused);
    EXPECT_EQ(body.at("problem").at("document").as_int64(), 3);
    EXPECT_EQ(body.at("problem").at("path").as_string(), "/value");
    EXPECT_NE(body.at("detail").as_string().find("(line 4 of the body)"), std::string::npos)
        << refused.body;
    EXPECT_EQ(executions(server.port()), stored);
    const auto ok = test::http_request(server.port(), "POST", "/ws/simple/createBulk",
                                       "{\"sensor\":\"a\",\"value\":1}\n",
                                       {{"Content-Type", "application/x-ndjson"}});
    EXPECT_EQ(ok.status, 202) << ok.body;
}

// `ferry deploy` takes the profile beside the process file along; the server keeps it with
// the version, so it still applies after the file is gone and the server restarted.
TEST_F(ProfilesTest, DeployedProfilesTravelWithTheDefinition) {
    test::temp_dir empty;
    test::temp_dir sources;
    sources.write("Reading.profile.yaml", reading_profile);
    const auto file = sources.write("createReadings.yaml", reading_process);
    const auto bad = R"([{"sensor":"a","value":"x"}])";
    {
        test::server_process server(empty.str(), data_.str());
        const auto deployed = test::ferry_command(
            "deploy --server http://127.0.0.1:" + std::to_string(server.port()) + " " +
            file.string());
        ASSERT_TRUE(deployed);
        EXPECT_EQ(
            test::http_request(server.port(), "POST", "/ws/simple/createReadings", bad).status,
            400);
    }
    std::filesystem::remove(sources.path() / "Reading.profile.yaml");
    test::server_process server(empty.str(), data_.str());
    EXPECT_EQ(test::http_request(server.port(), "POST", "/ws/simple/createReadings", bad).status,
              400);
    EXPECT_EQ(test::http_request(server.port(), "POST", "/ws/simple/createReadings",
                                 R"([{"sensor":"a","value":3}])")
                  .status,
              202);
    // Without the profile beside it, a deploy is refused with the reason.
    const auto refused =
        test::http_request(server.port(), "POST", "/_admin/processes?file=x.yaml", reading_process,
                           {{"Content-Type", "application/yaml"}});
    EXPECT_EQ(refused.status, 400);
    EXPECT_NE(refused.body.find("profile 'Reading' is not there"), std::string::npos)
        << refused.body;
}

// Steps typed by profiles (SPEC §6, element paths), deployed with `ferry deploy`: the
// profiles the steps name travel with the definition; the decision compares dates, the map
// converts the date mask and types the JSON reply from the target profile, and a value that
// is not what the profile says fails the execution at its step.
TEST_F(ProfilesTest, StepsReadElementsAsTheProfileTypesThem) {
    test::temp_dir empty;
    test::temp_dir sources;
    sources.write("Invoice.profile.yaml", invoice_profile);
    sources.write("Summary.profile.yaml", R"(profile: Summary
format: json
root:
  elements:
    - {name: number, type: string}
    - {name: issued, type: date, mask: "dd/MM/yyyy"}
    - name: lines
      max: unbounded
      elements:
        - {name: amount, type: number}
)");
    const auto file = sources.write("summarizeInvoice.yaml", R"(name: summarizeInvoice
listen: {type: execute, object: InvoiceSummary, input: single_xml, output: single_json}
steps:
  - id: period
    decision:
      profile: Invoice
      left: {element: issued}
      op: ">="
      right: {static: "2024-01-01"}
      then:
        - id: summary
          map:
            profile: Invoice
            target_profile: Summary
            fields:
              - {to: number, from: number}
              - {to: issued, from: issued}
              - to: lines
                each: line
                fields: [{to: amount, from: amount}]
        - return: {}
      else:
        - exception: {message: "invoices before 2024 are archived"}
)");
    test::server_process server(empty.str(), data_.str());
    ASSERT_TRUE(test::ferry_command(
        "deploy --server http://127.0.0.1:" + std::to_string(server.port()) + " " + file.string()));
    const auto call = [&](const std::string& invoice) {
        return test::http_request(server.port(), "POST", "/ws/simple/executeInvoiceSummary",
                                  invoice, {{"Content-Type", "application/xml"}});
    };
    const auto ok = call(good_invoice);
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(
        ok.body,
        R"({"number":"7","issued":"29/02/2024","lines":[{"amount":1200.00},{"amount":85.5}]})");

    auto old = good_invoice;
    old.replace(old.find("2024-02-29"), 10, "2023-12-31");
    const auto archived = call(old);
    EXPECT_EQ(archived.status, 500);
    EXPECT_NE(archived.body.find("invoices before 2024 are archived"), std::string::npos);

    auto wrong = good_invoice;
    wrong.replace(wrong.find("2024-02-29"), 10, "2024-02-30");
    const auto failed = call(wrong);
    ASSERT_EQ(failed.status, 500) << failed.body;
    const auto body = parsed(failed);
    EXPECT_EQ(body.at("step").as_string(), "period");
    EXPECT_EQ(body.at("message").as_string(),
              "decision: element 'issued' holds '2024-02-30', which is not a date written "
              "yyyy-MM-dd (profile Invoice)");
}

// ferry profile import writes a profile that ferry profile check uses.
TEST_F(ProfilesTest, ProfileCommands) {
    const auto sample = processes_.write("sample.json", R"({"sensor":"a","value":1.5})");
    const auto out = processes_.path() / "Sample.profile.yaml";
    ASSERT_TRUE(test::ferry_command("profile import " + sample.string() + " --name Sample -o " +
                                    out.string()));
    const auto text = test::read_file(out);
    EXPECT_NE(text.find("profile: Sample"), std::string::npos) << text;
    EXPECT_NE(text.find("{name: value, type: number}"), std::string::npos) << text;
    EXPECT_TRUE(test::ferry_command("profile check " + out.string() + " " + sample.string()));
    const auto bad = processes_.write("bad.json", R"({"sensor":"a","value":true})");
    EXPECT_FALSE(test::ferry_command("profile check " + out.string() + " " + bad.string()));
    const auto xsd =
        test::ferry_command("profile xsd " + (processes_.path() / "Invoice.profile.yaml").string());
    ASSERT_TRUE(xsd);
    EXPECT_NE(xsd->find(R"(targetNamespace="urn:example:invoices")"), std::string::npos);
}

}  // namespace ferry
