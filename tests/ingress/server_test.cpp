#include "ferry/ingress/server.hpp"

#include <boost/json/parse.hpp>
#include <thread>

#include "ingress/server_fixture.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"

namespace ferry::ingress {

class ServerTest : public ServerFixture {};

// The status endpoint is 200 while listening and 503 while starting or draining.
TEST_F(ServerTest, StatusFollowsLifecycle) {
    start({}, false);
    EXPECT_EQ(test::http_request(port(), "GET", "/_admin/status").status, 503);
    EXPECT_EQ(test::http_request(port(), "POST", "/ws/simple/createOrder", "[]").status, 503);
    server_->set_ready();
    const auto ok = test::http_request(port(), "GET", "/_admin/status");
    EXPECT_EQ(ok.status, 200);
    // The state, then the version (the console shows other runtimes' versions).
    EXPECT_EQ(ok.body.rfind(R"({"status":"listening","version":")", 0), 0u) << ok.body;
    server_->drain();
    const auto draining = test::http_request(port(), "GET", "/_admin/status");
    EXPECT_EQ(draining.status, 503);
    EXPECT_EQ(draining.body.rfind(R"({"status":"draining","version":")", 0), 0u) << draining.body;
    auto refused = test::http_request(port(), "POST", "/ws/simple/createOrder", "[]");
    EXPECT_EQ(refused.status, 503);
    EXPECT_EQ(refused.headers["Retry-After"], "1");
}

// A post answers 202 with one id per document; the execution is then readable and runs.
TEST_F(ServerTest, PostAnswersReceiptAndRuns) {
    start();
    auto res = test::http_request(port(), "POST", "/ws/simple/createOrder",
                                  R"([{"id":1},{"id":2},{"id":3}])");
    ASSERT_EQ(res.status, 202) << res.body;
    EXPECT_EQ(res.headers["X-Durability"], "fsync");
    const auto receipt = boost::json::parse(res.body).as_object();
    const std::string id(receipt.at("execution_id").as_string());
    ASSERT_EQ(receipt.at("documents").as_array().size(), 3u);
    EXPECT_EQ(receipt.at("durability").as_string(), "fsync");

    std::string state;
    test::eventually(
        [&] {
            const auto status = test::http_request(port(), "GET", "/_admin/executions/" + id);
            EXPECT_EQ(status.status, 200);
            if (status.status != 200) return true;  // stop polling: the failure is reported
            const auto body = boost::json::parse(status.body).as_object();
            state = body.at("state").as_string();
            EXPECT_EQ(body.at("documents").as_array().size(), 3u);
            return state == "succeeded";
        },
        std::chrono::seconds(10), std::chrono::milliseconds(10));
    EXPECT_EQ(state, "succeeded");
    const std::string doc0(receipt.at("documents").as_array()[0].as_string());
    const auto written = test::read_file(data_.path() / "files/orders" / (doc0 + ".json"));
    EXPECT_NE(written.find(R"("order": {"id":1})"), std::string::npos) << written;
}

// Unknown paths, operations and executions are 404 with a JSON error; wrong methods 405.
TEST_F(ServerTest, UnknownThingsAre404) {
    start();
    auto res = test::http_request(port(), "GET", "/nothing/here");
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(boost::json::parse(res.body).at("error").as_string(), "not_found");
    res = test::http_request(port(), "POST", "/ws/simple/deleteEverything", "[]");
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(boost::json::parse(res.body).at("error").as_string(), "unknown_operation");
    res = test::http_request(port(), "GET", "/_admin/executions/unknown");
    EXPECT_EQ(res.status, 404);
    res = test::http_request(port(), "GET", "/ws/simple/createOrder");
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.headers["Allow"], "POST");
}

// The route table answers a path it knows with another method 405, Allow listing the methods
// of the most specific pattern; a literal segment beats a parameter (resend is not an id).
TEST_F(ServerTest, KnownPathsWithOtherMethodsAre405WithAllow) {
    start();
    auto res = test::http_request(port(), "PUT", "/_admin/dead-letters");
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.headers["Allow"], "GET, DELETE");
    res = test::http_request(port(), "GET", "/_admin/dead-letters/resend");
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.headers["Allow"], "POST");
    res = test::http_request(port(), "PATCH", "/_admin/processes");
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.headers["Allow"], "GET, POST");
    EXPECT_EQ(boost::json::parse(res.body).at("error").as_string(), "method_not_allowed");
    // A parameter takes a non-empty segment; an unknown id is the handler's 404.
    res = test::http_request(port(), "GET", "/_admin/executions/e1/documents/");
    EXPECT_EQ(res.status, 404);
    res = test::http_request(port(), "GET", "/_admin/dead-letters/d1");
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(boost::json::parse(res.body).at("error").as_string(), "unknown_dead_letter");
}

// Invalid JSON is 400 with the position, and nothing reaches the store.
TEST_F(ServerTest, InvalidJsonIsRefusedBeforeTheStore) {
    start();
    const auto before = runtime_->db().last_seq();
    const auto res = test::http_request(port(), "POST", "/ws/simple/createOrder", "[{\"a\": }]");
    EXPECT_EQ(res.status, 400);
    const auto body = boost::json::parse(res.body).as_object();
    EXPECT_EQ(body.at("error").as_string(), "invalid_json");
    EXPECT_NE(std::string(body.at("detail").as_string()).find("line 1, column 8"),
              std::string::npos);
    EXPECT_EQ(runtime_->db().last_seq(), before);
}

// /metrics speaks the Prometheus text format and counts group commits.
TEST_F(ServerTest, MetricsCountCommits) {
    start();
    ASSERT_EQ(test::http_request(port(), "POST", "/ws/simple/createOrder", "[1]").status, 202);
    const auto res = test::http_request(port(), "GET", "/metrics");
    EXPECT_EQ(res.status, 200);
    EXPECT_NE(res.body.find("# TYPE ferry_intake_batches_total counter"), std::string::npos);
    EXPECT_NE(res.body.find("ferry_intake_requests_total 1"), std::string::npos);
    EXPECT_NE(res.body.find("ferry_store_fsyncs_total"), std::string::npos);
}

}  // namespace ferry::ingress
