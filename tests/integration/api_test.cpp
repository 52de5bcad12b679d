// APIs against the real binary (docs/apis.md): the example orders API (v1 deprecated, v2),
// REST dispatch and what the process learns, the checks before anything is stored,
// deprecation and sunset, and deploying, replacing and undeploying APIs.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {

namespace fs = std::filesystem;

boost::json::object parsed(const test::http_reply& r) {
    return boost::json::parse(r.body).as_object();
}

std::string header(const test::http_reply& r, const std::string& name) {
    for (const auto& [key, value] : r.headers) {
        if (key.size() == name.size() &&
            std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            return value;
        }
    }
    return "";
}

// The target of a `Link: <target>; rel="..."` header.
std::string link_target(const std::string& link) {
    const auto open = link.find('<');
    const auto close = link.find('>');
    return open == std::string::npos || close == std::string::npos
               ? ""
               : link.substr(open + 1, close - open - 1);
}

// A process that answers what it learned of the request, and the API over it.
constexpr const char* probe_process = R"(name: probe
listen: {type: get, object: Probe, input: single_data, output: single_json}
steps:
  - message:
      template: |-
        '{'"method": "{1}", "path": "{2}", "id": "{3}", "q": "{4}", "tenant": "{5}", "api": "{6}"'}'
      variables:
        - process_property: inmethod
        - process_property: inpath
        - process_property: param_id
        - process_property: query_q
        - process_property: inheader_X-Tenant
        - process_property: api_version
  - return: {}
)";

constexpr const char* things_process = R"(name: things
listen: {type: query, object: Things, input: single_data, output: multiple_json}
steps:
  - message: {template: "'[1, 2, 3, 4, 5]'"}
  - split: {by: json_array}
  - return: {}
)";

constexpr const char* store_process = R"(name: store
listen: {type: create, object: Thing, input: multiple_json, output: none}
steps:
  - message: {template: "stored"}
)";

constexpr const char* probe_api = R"(api: probe
version: 1
base_path: probe/v1
headers: [X-Tenant]
routes:
  - method: GET
    path: things/{id}
    operation: getProbe
    query:
      q: {type: string}
      n: {type: integer, required: true}
  - {method: GET, path: things/latest, operation: getProbe}
  - {method: GET, path: things/latest, operation: queryThings, headers: {X-Variant: list}}
  - {method: PUT, path: 'things/{id}', operation: getProbe, input: single_json}
  - {method: POST, path: things, operation: createThing}
  - {method: GET, path: list, operation: queryThings, page_size: 2}
  - {method: GET, path: text, operation: getProbe, output: single_data, content_type: text/plain}
  - {method: POST, path: things/strict, operation: createThing, request_profile: Thing}
)";

constexpr const char* thing_profile = R"(profile: Thing
format: json
root:
  elements:
    - {name: name}
    - {name: size, type: integer, min: 0}
)";

class ApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("probe.yaml", probe_process);
        processes_.write("things.yaml", things_process);
        processes_.write("store.yaml", store_process);
        processes_.write("probe.api.yaml", probe_api);
        processes_.write("Thing.profile.yaml", thing_profile);
    }

    test::http_reply call(const std::string& method, const std::string& target,
                          const std::string& body = "",
                          const std::map<std::string, std::string>& headers = {}) {
        return test::http_request(server_->port(), method, target, body, headers);
    }

    void start(std::vector<std::string> extra = {}) {
        server_ =
            std::make_unique<test::server_process>(processes_.str(), data_.str(), std::move(extra));
    }

    // Deploys an API as `ferry deploy` does: with the profiles its routes name after it.
    test::http_reply deploy(const std::string& text, const std::string& file) {
        const auto bundled = text.find("request_profile: Thing") == std::string::npos
                                 ? text
                                 : text + "--- # ferry profile Thing\n" + thing_profile;
        return call("POST", "/_admin/apis?file=" + file, bundled,
                    {{"Content-Type", "application/yaml"}});
    }

    test::temp_dir processes_;
    test::temp_dir data_;
    std::unique_ptr<test::server_process> server_;
};

// The process gets the path parameters, query, method, path from the base path on and the
// API's headers; a literal segment beats a parameter at the same depth.
TEST_F(ApiTest, ARouteHandsTheProcessWhatTheRequestSaid) {
    start();
    auto r = call("GET", "/ws/rest/probe/v1/things/a%20b?n=3&q=red", "", {{"X-Tenant", "acme"}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = parsed(r);
    EXPECT_EQ(body.at("method").as_string(), "GET");
    EXPECT_EQ(body.at("path").as_string(), "/probe/v1/things/a b");
    EXPECT_EQ(body.at("id").as_string(), "a b");
    EXPECT_EQ(body.at("q").as_string(), "red");
    EXPECT_EQ(body.at("tenant").as_string(), "acme");
    EXPECT_EQ(body.at("api").as_string(), "1");

    r = call("GET", "/ws/rest/probe/v1/things/latest");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parsed(r).at("id").as_string(), "");  // the literal route: no parameter
    // A routing header picks another route of the same path.
    r = call("GET", "/ws/rest/probe/v1/things/latest", "", {{"X-Variant", "list"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, "[1,2,3,4,5]");

    // A route that overrides the input takes its body as JSON.
    r = call("PUT", "/ws/rest/probe/v1/things/7", "{\"x\":1}",
             {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parsed(r).at("method").as_string(), "PUT");
    EXPECT_EQ(parsed(r).at("id").as_string(), "7");
    r = call("PUT", "/ws/rest/probe/v1/things/7", "{not json",
             {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 400) << r.body;
}

// 404 naming the API whose base path matched, 404 for no API, 405 with Allow, 400 for a
// missing or mistyped query parameter, 415 and 406: all before anything is stored.
TEST_F(ApiTest, RequestsThatFitNoRouteAreRefusedWithTheirReason) {
    start();
    auto r = call("GET", "/ws/rest/probe/v1/nothing");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(parsed(r).at("detail").as_string().find("API 'probe' version 1"), std::string::npos)
        << r.body;
    r = call("GET", "/ws/rest/probe/v2/things/1");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("no API serves /ws/rest/probe/v2/things/1"), std::string::npos);
    r = call("DELETE", "/ws/rest/probe/v1/things/1");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(header(r, "Allow"), "GET, PUT");

    r = call("GET", "/ws/rest/probe/v1/things/1");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(parsed(r).at("error").as_string(), "missing_query_parameter");
    EXPECT_NE(r.body.find("'n'"), std::string::npos);
    r = call("GET", "/ws/rest/probe/v1/things/1?n=three");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(parsed(r).at("error").as_string(), "invalid_query_parameter");

    r = call("POST", "/ws/rest/probe/v1/things", "[{\"a\":1}]", {{"Content-Type", "text/csv"}});
    EXPECT_EQ(r.status, 415) << r.body;
    r = call("POST", "/ws/rest/probe/v1/things", "[{\"a\":1}]",
             {{"Content-Type", "application/json"}, {"Accept", "application/xml"}});
    EXPECT_EQ(r.status, 406) << r.body;
    r = call("GET", "/_admin/executions");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(parsed(r).at("executions").as_array().empty()) << r.body;

    // What fits is stored and runs.
    r = call("POST", "/ws/rest/probe/v1/things", "[{\"a\":1},{\"a\":2}]",
             {{"Content-Type", "application/json; charset=utf-8"}, {"Accept", "*/*"}});
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(parsed(r).at("document_count").as_int64(), 2);
    EXPECT_EQ(
        test::wait_finished(server_->port(), std::string(parsed(r).at("execution_id").as_string()))
            .at("state")
            .as_string(),
        "succeeded");
}

// A route's page size and output override its operation's: a GET route's pages are fetched at
// the route's own path; a single_data route answers with its content type.
TEST_F(ApiTest, RouteOverridesShapeTheReply) {
    start();
    std::vector<std::string> items;
    std::string target = "/ws/rest/probe/v1/list";
    for (int page = 0; page < 5 && !target.empty(); ++page) {
        const auto r = call("GET", target);
        ASSERT_EQ(r.status, 200) << target << " " << r.body;
        const auto page_items = boost::json::parse(r.body);
        for (const auto& item : page_items.as_array())
            items.push_back(boost::json::serialize(item));
        target = link_target(header(r, "Link"));
        if (!target.empty()) {
            EXPECT_TRUE(target.starts_with("/ws/rest/probe/v1/list?")) << target;
        }
    }
    EXPECT_EQ(items, (std::vector<std::string>{"1", "2", "3", "4", "5"}));

    auto r = call("GET", "/ws/rest/probe/v1/text", "", {{"Accept", "text/*"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(header(r, "Content-Type"), "text/plain");
    r = call("GET", "/ws/rest/probe/v1/text", "", {{"Accept", "application/json"}});
    EXPECT_EQ(r.status, 406) << r.body;
}

// The example orders API: v2 current, v1 deprecated with its successor, both live at once.
TEST_F(ApiTest, TheExampleOrdersApiServesBothVersions) {
    const std::string examples = FERRY_EXAMPLES_DIR;
    test::server_process server(examples, data_.str());
    auto r = test::http_request(server.port(), "GET", "/ws/rest/orders/v2/orders/A-17");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parsed(r).at("orderId").as_string(), "A-17");
    EXPECT_EQ(header(r, "Deprecation"), "");

    r = test::http_request(server.port(), "GET", "/ws/rest/orders/v1/orders/A-18");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parsed(r).at("apiVersion").as_string(), "1");
    EXPECT_EQ(header(r, "Deprecation"), "true");
    EXPECT_EQ(header(r, "Sunset"), "Fri, 31 Dec 2027 00:00:00 GMT");
    EXPECT_EQ(header(r, "Link"), "</ws/rest/orders/v2>; rel=\"successor-version\"");

    r = test::http_request(server.port(), "POST", "/ws/rest/orders/v2/orders",
                           "[{\"orderId\": \"A-19\"}]", {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(
        test::wait_finished(server.port(), std::string(parsed(r).at("execution_id").as_string()))
            .at("state")
            .as_string(),
        "succeeded");

    r = test::http_request(server.port(), "POST", "/ws/rest/orders/v2/orders/A-19/shipments",
                           "{\"carrier\": \"eurofreight\", \"parcels\": 2}",
                           {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(parsed(r).at("orderId").as_string(), "A-19");
    EXPECT_EQ(parsed(r).at("shipment").at("carrier").as_string(), "eurofreight");

    std::size_t items = 0;
    std::string target = "/ws/rest/orders/v2/items?status=any";
    while (!target.empty()) {
        r = test::http_request(server.port(), "GET", target);
        ASSERT_EQ(r.status, 200) << r.body;
        items += boost::json::parse(r.body).as_array().size();
        target = link_target(header(r, "Link"));
    }
    EXPECT_EQ(items, 25u);

    // The invoice route checks the Invoice profile before anything is stored.
    r = test::http_request(server.port(), "POST", "/ws/rest/orders/v2/invoices",
                           "<Invoice><number>1</number></Invoice>",
                           {{"Content-Type", "application/xml"}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(parsed(r).at("error").as_string(), "invalid_document");

    const auto listed = test::http_request(server.port(), "GET", "/_admin/apis");
    ASSERT_EQ(listed.status, 200);
    const auto apis = parsed(listed);
    ASSERT_EQ(apis.at("apis").as_array().size(), 2u);
    for (const auto& api : apis.at("apis").as_array()) {
        EXPECT_TRUE(api.at("active").as_bool());
        EXPECT_EQ(api.at("source").as_string(), "directory");
    }
}

// A version past its sunset date answers 410 api_sunset, and says where its successor is.
TEST_F(ApiTest, AVersionPastItsSunsetIsGone) {
    processes_.write("old.api.yaml", R"(api: probe-old
base_path: probe/v0
routes:
  - {method: GET, path: 'things/{id}', operation: getProbe}
deprecated: {sunset: 2020-01-01, successor: probe/v1}
)");
    start();
    const auto r = call("GET", "/ws/rest/probe/v0/things/1");
    EXPECT_EQ(r.status, 410) << r.body;
    EXPECT_EQ(parsed(r).at("error").as_string(), "api_sunset");
    EXPECT_NE(r.body.find("/ws/rest/probe/v1"), std::string::npos);
    EXPECT_EQ(header(r, "Sunset"), "Wed, 01 Jan 2020 00:00:00 GMT");
}

// Deploying: a new version takes over its base path; another API may not; an API naming an
// operation nobody serves is refused at its route; a process an API uses cannot be
// undeployed; an undeployed API stays undeployed after a restart.
TEST_F(ApiTest, DeployingApisFollowsTheirBasePaths) {
    start();
    std::string v2 = probe_api;
    v2.replace(v2.find("version: 1"), 10, "version: 2");
    v2 += "  - {method: GET, path: extra, operation: getProbe}\n";
    auto r = deploy(v2, "probe-v2.api.yaml");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(parsed(r).at("replaced_version").as_int64(), 1);
    r = call("GET", "/ws/rest/probe/v1/extra");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parsed(r).at("api").as_string(), "2");

    r = deploy(
        "api: intruder\nbase_path: probe/v1\nroutes:\n"
        "  - {method: GET, path: x, operation: getProbe}\n",
        "intruder.api.yaml");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(parsed(r).at("error").as_string(), "base_path_taken");

    r = deploy(
        "api: broken\nbase_path: broken\nroutes:\n"
        "  - {method: GET, path: x, operation: getNothing}\n",
        "broken.api.yaml");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("route GET x: no deployed process serves the operation 'getNothing'"),
              std::string::npos)
        << r.body;

    r = deploy(
        "api: broken\nbase_path: broken\nroutes:\n"
        "  - {method: GET, path: 'x/{a}/{a}', operation: getProbe}\n",
        "broken.api.yaml");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("broken.api.yaml:4:"), std::string::npos) << r.body;

    r = call("DELETE", "/_admin/processes/probe");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(parsed(r).at("error").as_string(), "in_use");

    // A version that drops a route its callers use is refused, unless they may break.
    std::string v3 = probe_api;
    v3.replace(v3.find("version: 1"), 10, "version: 3");
    r = deploy(v3, "probe-v3.api.yaml");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(parsed(r).at("error").as_string(), "breaking_change");
    EXPECT_NE(r.body.find("GET /extra: removed"), std::string::npos) << r.body;
    EXPECT_EQ(call("GET", "/ws/rest/probe/v1/extra").status, 200);

    // Rolling back drops it too, then undeploying.
    r = call("POST", "/_admin/apis/probe/versions/1/activate");
    EXPECT_EQ(r.status, 409) << r.body;
    r = call("POST", "/_admin/apis/probe/versions/1/activate?allow_breaking=true");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parsed(r).at("replaced_version").as_int64(), 2);
    EXPECT_EQ(call("GET", "/ws/rest/probe/v1/extra").status, 404);
    r = call("DELETE", "/_admin/apis/probe");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(call("GET", "/ws/rest/probe/v1/things/latest").status, 404);
    EXPECT_EQ(call("DELETE", "/_admin/apis/probe").status, 404);

    ASSERT_EQ(server_->stop(), 0);
    start();
    EXPECT_EQ(call("GET", "/ws/rest/probe/v1/things/latest").status, 404);
    r = call("POST", "/_admin/apis/probe/versions/2/activate");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(call("GET", "/ws/rest/probe/v1/extra").status, 200);

    const auto listed =
        test::ferry_command("apis --server http://127.0.0.1:" + std::to_string(server_->port()));
    ASSERT_TRUE(listed);
    EXPECT_NE(listed->find("probe"), std::string::npos) << *listed;
    EXPECT_NE(listed->find("probe/v1"), std::string::npos) << *listed;
}

// `ferry validate` and `ferry serve` name the file, line and column of an API's mistake.
TEST_F(ApiTest, ADefinitionErrorNamesItsPlace) {
    processes_.write("bad.api.yaml",
                     "api: bad\nbase_path: bad\nroutes:\n  - {method: FETCH, path: x, "
                     "operation: getProbe}\n");
    const auto out = test::ferry_command("validate " + processes_.str() + " 2>&1; true");
    ASSERT_TRUE(out);
    EXPECT_NE(out->find("bad.api.yaml:4:"), std::string::npos) << *out;
    EXPECT_FALSE(test::ferry_command("validate " + processes_.str()));
}

// An API's SOAP operations have their own endpoint and WSDL, which a real SOAP toolkit uses.
TEST_F(ApiTest, AnApiHasItsOwnSoapEndpointAndWsdl) {
    test::server_process server(FERRY_EXAMPLES_DIR, data_.str());
    const auto wsdl = test::http_request(server.port(), "GET", "/ws/soap/orders/v2?wsdl=single");
    ASSERT_EQ(wsdl.status, 200) << wsdl.body;
    EXPECT_NE(wsdl.body.find("<wsdl:operation name=\"createInvoice\">"), std::string::npos);
    EXPECT_EQ(wsdl.body.find("executeEcho"), std::string::npos);  // not the API's
    EXPECT_NE(wsdl.body.find("location=\"http://127.0.0.1/ws/soap/orders/v2\""), std::string::npos)
        << wsdl.body;
    EXPECT_NE(wsdl.body.find("location=\"http://127.0.0.1/ws/soap12/orders/v2\""),
              std::string::npos);
    // The server-wide endpoint stays where it was.
    EXPECT_NE(test::http_request(server.port(), "GET", "/ws/soap?wsdl=single")
                  .body.find("location=\"http://127.0.0.1/ws/soap\""),
              std::string::npos);

    const auto other = test::http_request(
        server.port(), "POST", "/ws/soap/orders/v2",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
        "<executeEcho><x/></executeEcho></soap:Body></soap:Envelope>",
        {{"Content-Type", "text/xml"}});
    EXPECT_NE(other.body.find("has no SOAP operation &apos;executeEcho&apos;"), std::string::npos)
        << other.body;
    EXPECT_NE(test::http_request(server.port(), "GET", "/ws/soap/orders/v1?wsdl")
                  .body.find("has no SOAP operations"),
              std::string::npos);

    const auto out = test::ferry_command(
        "--version > /dev/null; /usr/bin/python3 " + std::string(FERRY_TEST_DATA_DIR) +
        "/soap/zeep_api_client.py http://127.0.0.1:" + std::to_string(server.port()));
    ASSERT_TRUE(out) << "the zeep client failed";
    EXPECT_EQ(std::count(out->begin(), out->end(), '\n') + 1, 4) << *out;
}

// A user limited to an API calls only through it; the OpenAPI document lists what the
// reader may call; calls to a deprecated version are counted per user.
TEST_F(ApiTest, UsersMayBeLimitedToApis) {
    processes_.write("old.api.yaml", R"(api: probe-old
base_path: probe/v0
routes:
  - {method: GET, path: 'things/{id}', operation: getProbe}
deprecated: {sunset: 2099-01-01, successor: probe/v1}
)");
    const auto users = "--data " + data_.str();
    const auto partner = test::ferry_command("user add partner --api probe " + users);
    const auto lister = test::ferry_command("user add lister --operation queryThings " + users);
    const auto admin = test::ferry_command("user add ops --admin " + users);
    ASSERT_TRUE(partner && lister && admin);
    start({"--auth", "basic", "--admin-auth", "basic"});
    const auto as_partner = test::basic("partner", *partner);

    auto r = call("GET", "/ws/rest/probe/v1/things/latest", "", as_partner);
    EXPECT_EQ(r.status, 200) << r.body;
    r = call("POST", "/ws/simple/getProbe", "", as_partner);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(parsed(r).at("error").as_string(), "api_required");
    r = call("GET", "/ws/rest/probe/v0/things/1", "", as_partner);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(parsed(r).at("error").as_string(), "api_not_allowed");
    EXPECT_EQ(call("GET", "/ws/rest/probe/v1/openapi.json").status, 401);

    r = call("GET", "/ws/rest/probe/v1/openapi.json", "", test::basic("lister", *lister));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = parsed(r);
    // queryThings serves /list and, with its routing header, /things/latest; nothing else.
    EXPECT_EQ(doc.at("paths").as_object().size(), 2u) << r.body;
    EXPECT_TRUE(doc.at("paths").as_object().contains("/list"));
    EXPECT_EQ(doc.at("paths").at("/things/latest").at("get").at("operationId").as_string(),
              "queryThings_get_3");
    EXPECT_EQ(doc.at("security").at(0).as_object().count("basicAuth"), 1u);

    for (int i = 0; i < 2; ++i) {
        r = call("GET", "/ws/rest/probe/v0/things/1", "", test::basic("lister", *lister));
        EXPECT_EQ(r.status, 403) << r.body;  // not lister's operation, but a call all the same
    }
    r = call("GET", "/ws/rest/probe/v0/things/1", "", test::basic("ops", *admin));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(header(r, "Deprecation"), "true");
    const auto metrics = call("GET", "/metrics", "", test::basic("ops", *admin)).body;
    EXPECT_NE(
        metrics.find(
            "ferry_deprecated_api_calls_total{api=\"probe-old\",version=\"1\",user=\"ops\"} 1"),
        std::string::npos)
        << metrics;
}

// `ferry apis diff OLD NEW` prints each change and whether it breaks; 1 when one does.
TEST(ApiDiffCommand, SaysWhatBreaksBetweenTwoFiles) {
    const std::string examples = FERRY_EXAMPLES_DIR;
    const auto v1 = examples + "/orders-v1.api.yaml";
    const auto v2 = examples + "/orders-v2.api.yaml";
    const auto forward = test::ferry_command("apis diff " + v1 + " " + v2);
    ASSERT_TRUE(forward);
    EXPECT_NE(forward->find("compatible  GET /items: added"), std::string::npos) << *forward;
    EXPECT_NE(forward->find(", 0 breaking"), std::string::npos) << *forward;
    EXPECT_FALSE(test::ferry_command("apis diff " + v2 + " " + v1));
    const auto back = test::ferry_command("apis diff " + v2 + " " + v1 + "; true");
    ASSERT_TRUE(back);
    EXPECT_NE(back->find("breaking    GET /items: removed"), std::string::npos) << *back;
}

// A route's own request profile checks its body before anything is stored, and is its
// OpenAPI request schema.
TEST_F(ApiTest, ARouteMayCarryItsOwnProfile) {
    start();
    auto r = call("POST", "/ws/rest/probe/v1/things/strict", R"([{"name": "a", "size": 2}])",
                  {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 202) << r.body;
    r = call("POST", "/ws/rest/probe/v1/things/strict", R"([{"name": "a", "size": "big"}])",
             {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(parsed(r).at("problem").at("path").as_string(), "/size") << r.body;
    // The operation itself takes any JSON.
    r = call("POST", "/ws/rest/probe/v1/things", R"([{"size": "big"}])",
             {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 202) << r.body;

    r = call("GET", "/ws/rest/probe/v1/openapi.json");
    ASSERT_EQ(r.status, 200);
    const auto doc = parsed(r);
    EXPECT_EQ(doc.at("paths")
                  .at("/things/strict")
                  .at("post")
                  .at("requestBody")
                  .at("content")
                  .at("application/json")
                  .at("schema")
                  .at("items")
                  .at("$ref")
                  .as_string(),
              "#/components/schemas/Thing");
}

}  // namespace
}  // namespace ferry
