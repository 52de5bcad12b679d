#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "support/admin_client.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {

// A process with a branch: path 1 stamps each order, path 2 rejects orders without lines.
constexpr const char* routed_process = R"(name: checkOrders
mode: bridge
listen: {type: create, object: Check, input: multiple_json, output: none}
steps:
  - id: tag
    set_properties:
      - document: region
        value: {process_property: query_region}
  - id: fan-out
    branch:
      paths:
        - steps:
            - id: stamp
              message: {template: "{1}:{2}", variables: [{document_property: region}, current_data]}
        - steps:
            - id: check
              decision:
                left: current_data
                op: wildcard
                right: {static: "*lines*"}
                else:
                  - id: refuse
                    exception: {message: "order {1} has no lines", variables: [document_index]}
)";

class HistoryTest : public ::testing::Test {
protected:
    test::temp_dir processes_;
    test::temp_dir data_;
};

// The history shows every step run with its document counts and errors; X-Debug keeps the
// step outputs of a bridge-mode process, readable with their properties.
TEST_F(HistoryTest, TraceAndStepDocumentsAfterPost) {
    processes_.write("check.yaml", routed_process);
    test::server_process server(processes_.str(), data_.str());
    const auto res = test::http_request(server.port(), "POST", "/ws/simple/createCheck?region=EU",
                                        R"([{"lines": [1]}, {"id": 2}])", {{"X-Debug", "true"}});
    ASSERT_EQ(res.status, 202) << res.body;
    const auto id = std::string(boost::json::parse(res.body).at("execution_id").as_string());

    const auto history = test::wait_finished(server.port(), id);
    EXPECT_EQ(history.at("state").as_string(), "failed");
    EXPECT_EQ(history.at("error").as_string(), "step 'refuse': order 1 has no lines");
    EXPECT_TRUE(history.at("debug").as_bool());
    const auto& trace = history.at("trace").as_array();
    std::vector<std::string> steps;
    for (const auto& t : trace) steps.emplace_back(t.at("step").as_string());
    EXPECT_EQ(steps, (std::vector<std::string>{"tag", "fan-out", "stamp", "check", "refuse"}));
    EXPECT_EQ(trace[1].at("documents_in").as_int64(), 2);
    EXPECT_EQ(trace[1].at("documents_out").as_int64(), 4);  // two copies of two documents
    EXPECT_EQ(trace[4].at("documents_failed").as_int64(), 1);
    EXPECT_EQ(trace[4].at("error").as_string(), "order 1 has no lines");

    const auto& stamped = trace[2].at("output_documents").as_array();
    ASSERT_EQ(stamped.size(), 2u);
    const auto doc_url =
        "/_admin/executions/" + id + "/documents/" + std::string(stamped[0].as_string());
    const auto doc = test::http_request(server.port(), "GET", doc_url);
    ASSERT_EQ(doc.status, 200) << doc.body;
    const auto body = boost::json::parse(doc.body);
    EXPECT_EQ(body.at("data").as_string(), R"(EU:{"lines": [1]})");
    EXPECT_EQ(body.at("properties").at("region").as_string(), "EU");

    // The request documents are there too; another execution's document is not.
    const auto request_doc = test::http_request(
        server.port(), "GET", "/_admin/executions/" + id + "/documents/" + id + "-1");
    EXPECT_EQ(request_doc.status, 200);
    EXPECT_EQ(boost::json::parse(request_doc.body).at("data").as_string(), R"({"id": 2})");
    const auto foreign =
        test::http_request(server.port(), "GET", "/_admin/executions/" + id + "/documents/other-0");
    EXPECT_EQ(foreign.status, 404);
    EXPECT_EQ(server.stop(), 0);
}

}  // namespace ferry
