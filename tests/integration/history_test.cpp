#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/ferry_cli.hpp"
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

// General mode stores each distinct document once: a step that passes its document on
// unchanged lists the request document, readable like any step output.
TEST_F(HistoryTest, UnchangedStepOutputIsTheRequestDocument) {
    processes_.write("relay.yaml", R"(name: relay
mode: general
listen: {type: create, object: Relay, input: single_data, output: none}
steps:
  - id: forward
    message: {template: "{1}", variables: [current_data]}
  - id: wrap
    message: {template: "<{1}>", variables: [current_data]}
)");
    test::server_process server(processes_.str(), data_.str());
    const auto res = test::http_request(server.port(), "POST", "/ws/simple/createRelay", "hello");
    ASSERT_EQ(res.status, 202) << res.body;
    const auto id = std::string(boost::json::parse(res.body).at("execution_id").as_string());
    const auto history = test::wait_finished(server.port(), id);
    ASSERT_EQ(history.at("state").as_string(), "succeeded");
    const auto& trace = history.at("trace").as_array();
    ASSERT_EQ(trace.size(), 2u);
    const auto output_of = [&](std::size_t step) {
        const auto& ids = trace[step].at("output_documents").as_array();
        EXPECT_EQ(ids.size(), 1u);
        return ids.empty() ? std::string() : std::string(ids[0].as_string());
    };
    EXPECT_EQ(output_of(0), id + "-0");
    EXPECT_EQ(output_of(1), id + "-s1-0");
    for (const auto& [step, data] : {std::pair{0, "hello"}, std::pair{1, "<hello>"}}) {
        const auto doc = test::http_request(
            server.port(), "GET", "/_admin/executions/" + id + "/documents/" + output_of(step));
        ASSERT_EQ(doc.status, 200) << doc.body;
        EXPECT_EQ(boost::json::parse(doc.body).at("data").as_string(), data);
    }
    EXPECT_EQ(server.stop(), 0);
}

// GET /_admin/executions lists the history newest first, filtered, in cursor pages; bad
// parameters are 400 with the reason.
TEST_F(HistoryTest, ListingFiltersAndPages) {
    processes_.write("check.yaml", routed_process);
    test::server_process server(processes_.str(), data_.str());
    std::vector<std::string> failing;
    std::vector<std::string> all;
    for (int i = 0; i < 6; ++i) {
        // Even posts have lines (succeed), odd ones not (fail).
        const auto body = i % 2 == 0 ? R"([{"lines": [1]}])" : R"([{"id": 1}])";
        const auto res = test::http_request(server.port(), "POST", "/ws/simple/createCheck", body);
        ASSERT_EQ(res.status, 202);
        all.emplace_back(boost::json::parse(res.body).at("execution_id").as_string());
        if (i % 2 == 1) failing.push_back(all.back());
    }
    for (const auto& id : all) test::wait_finished(server.port(), id);

    const auto list = [&](const std::string& query) {
        const auto res = test::http_request(server.port(), "GET", "/_admin/executions" + query);
        EXPECT_EQ(res.status, 200) << res.body;
        return boost::json::parse(res.body).as_object();
    };
    std::vector<std::string> paged;
    std::string query = "?limit=4";
    for (;;) {
        const auto page = list(query);
        for (const auto& e : page.at("executions").as_array()) {
            paged.emplace_back(e.at("id").as_string());
            EXPECT_EQ(e.at("process").as_string(), "checkOrders");
            EXPECT_EQ(e.at("document_count").as_int64(), 1);
        }
        if (page.at("next_cursor").is_null()) break;
        query = "?limit=4&cursor=" + std::string(page.at("next_cursor").as_string());
    }
    EXPECT_EQ(paged, std::vector<std::string>(all.rbegin(), all.rend()));

    const auto failed = list("?state=failed&process=checkOrders&error=has%20no%20lines");
    std::vector<std::string> failed_ids;
    for (const auto& e : failed.at("executions").as_array()) {
        failed_ids.emplace_back(e.at("id").as_string());
        EXPECT_EQ(e.at("state").as_string(), "failed");
    }
    EXPECT_EQ(failed_ids, std::vector<std::string>(failing.rbegin(), failing.rend()));
    EXPECT_TRUE(list("?process=nothing").at("executions").as_array().empty());
    EXPECT_EQ(list("?to=2000-01-01T00:00:00Z").at("executions").as_array().size(), 0u);
    EXPECT_EQ(list("?from=2000-01-01").at("executions").as_array().size(), 6u);

    for (const auto* bad : {"?state=sleeping", "?limit=0", "?from=yesterday", "?colour=red"}) {
        const auto res =
            test::http_request(server.port(), "GET", std::string("/_admin/executions") + bad);
        EXPECT_EQ(res.status, 400) << bad;
        EXPECT_EQ(boost::json::parse(res.body).at("error").as_string(), "invalid_query") << bad;
    }
}

// The CLI over the admin API: tables for people, --json for scripts, clear failures.
TEST_F(HistoryTest, CliListsAndShowsExecutions) {
    processes_.write("check.yaml", routed_process);
    test::server_process server(processes_.str(), data_.str());
    const auto res =
        test::http_request(server.port(), "POST", "/ws/simple/createCheck", R"([{"id": 1}])");
    const auto id = std::string(boost::json::parse(res.body).at("execution_id").as_string());
    test::wait_finished(server.port(), id);
    const auto at = " --server http://127.0.0.1:" + std::to_string(server.port());

    const auto status = test::ferry_command("status" + at);
    ASSERT_TRUE(status);
    EXPECT_EQ(*status, "http://127.0.0.1:" + std::to_string(server.port()) + " listening");

    const auto table = test::ferry_command("executions" + at).value_or("");
    const auto header = table.substr(0, table.find('\n'));
    EXPECT_EQ(header,
              "ID                        PROCESS               STATE      CREATED                 "
              "TOOK   DOCS  ERROR");
    EXPECT_NE(table.find(id + "  checkOrders           failed     "), std::string::npos) << table;
    EXPECT_NE(table.find("step 'refuse': order 0 has no lines"), std::string::npos) << table;

    const auto listed =
        boost::json::parse(test::ferry_command("executions --json" + at).value_or("[]"));
    ASSERT_EQ(listed.as_array().size(), 1u);
    EXPECT_EQ(listed.as_array()[0].at("id").as_string(), id);
    EXPECT_TRUE(test::ferry_command("executions --state succeeded --json" + at).value_or("") ==
                "[]");

    const auto shown = test::ferry_command("show " + id + at).value_or("");
    EXPECT_NE(shown.find("execution  " + id + "\n"), std::string::npos) << shown;
    EXPECT_NE(shown.find("state      failed\n"), std::string::npos) << shown;
    EXPECT_NE(shown.find("STEP                  KIND"), std::string::npos) << shown;
    EXPECT_NE(shown.find("refuse"), std::string::npos) << shown;

    EXPECT_FALSE(test::ferry_command("show nosuchid" + at));
    EXPECT_FALSE(test::ferry_command("executions --server http://127.0.0.1:1"));
}

// A stored execution replays as a new one linked to it, over HTTP and the CLI; its documents
// and process properties are the original's.
TEST_F(HistoryTest, ReplayRunsTheStoredDocumentsAgain) {
    processes_.write("check.yaml", routed_process);
    test::server_process server(processes_.str(), data_.str());
    const auto res = test::http_request(server.port(), "POST", "/ws/simple/createCheck?region=NA",
                                        R"([{"lines": [2]}, {"id": 7}])");
    const auto original = std::string(boost::json::parse(res.body).at("execution_id").as_string());
    const auto first = test::wait_finished(server.port(), original);

    const auto replayed =
        test::http_request(server.port(), "POST", "/_admin/executions/" + original + "/replay");
    ASSERT_EQ(replayed.status, 202) << replayed.body;
    const auto body = boost::json::parse(replayed.body);
    const auto copy = std::string(body.at("execution_id").as_string());
    EXPECT_NE(copy, original);
    EXPECT_EQ(body.at("replay_of").as_string(), original);
    EXPECT_EQ(body.at("document_count").as_int64(), 2);
    EXPECT_EQ(replayed.header("Location"), "/_admin/executions/" + copy);

    const auto again = test::wait_finished(server.port(), copy);
    EXPECT_EQ(again.at("replay_of").as_string(), original);
    EXPECT_EQ(again.at("state"), first.at("state"));
    EXPECT_EQ(again.at("error"), first.at("error"));
    const auto doc = test::http_request(server.port(), "GET",
                                        "/_admin/executions/" + copy + "/documents/" + copy + "-1");
    EXPECT_EQ(boost::json::parse(doc.body).at("data").as_string(), R"({"id": 7})");

    const auto at = " --server http://127.0.0.1:" + std::to_string(server.port());
    const auto cli = test::ferry_command("replay " + original + at).value_or("");
    EXPECT_TRUE(cli.starts_with(original + " replayed as ")) << cli;
    EXPECT_TRUE(cli.ends_with(" (2 documents)")) << cli;

    const auto unknown =
        test::http_request(server.port(), "POST", "/_admin/executions/nope/replay");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(boost::json::parse(unknown.body).at("error").as_string(), "unknown_execution");
    EXPECT_EQ(test::http_request(server.port(), "GET", "/_admin/executions/" + original + "/replay")
                  .status,
              405);
}

// --retention deletes finished executions and their documents once they are that old, while
// the server serves.
TEST_F(HistoryTest, RetentionDeletesOldExecutions) {
    processes_.write("check.yaml", routed_process);
    test::server_process server(processes_.str(), data_.str(), {"--retention", "2s"});
    const auto res =
        test::http_request(server.port(), "POST", "/ws/simple/createCheck", R"([{"lines": [1]}])");
    const auto id = std::string(boost::json::parse(res.body).at("execution_id").as_string());
    test::wait_finished(server.port(), id);
    int status = 200;
    test::eventually(
        [&] {
            status = test::http_request(server.port(), "GET", "/_admin/executions/" + id).status;
            return status != 200;
        },
        std::chrono::seconds(20), std::chrono::milliseconds(100));
    EXPECT_EQ(status, 404);
    EXPECT_EQ(test::http_request(server.port(), "GET",
                                 "/_admin/executions/" + id + "/documents/" + id + "-0")
                  .status,
              404);
    // New work is unaffected.
    EXPECT_EQ(
        test::http_request(server.port(), "POST", "/ws/simple/createCheck", R"([{"lines": [1]}])")
            .status,
        202);
}

}  // namespace ferry
