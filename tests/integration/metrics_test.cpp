// /metrics scraped from the real binary and parsed as the Prometheus text format: every line
// well formed, counters by operation and status, histograms consistent.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "support/admin_client.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {

constexpr auto accept_all = R"(name: orders
listen: {type: create, object: Order, input: single_json, output: none}
steps:
  - message: {template: "ok"}
)";

// Every sample as "name{labels}" -> value; a malformed line fails the test.
std::map<std::string, double> parse(const std::string& text) {
    static const std::regex sample(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_]+="[^"]*"(,[a-zA-Z_]+="[^"]*")*\})?) (-?[0-9.e+-]+|\+Inf|NaN)$)");
    static const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
    std::map<std::string, double> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (std::regex_match(line, comment)) continue;
        if (!std::regex_match(line, m, sample)) {
            ADD_FAILURE() << "not a metric line: " << line;
            continue;
        }
        EXPECT_FALSE(out.contains(m[1])) << "twice: " << m[1];
        out[m[1]] = std::stod(m[4]);
    }
    return out;
}

// A histogram's buckets never decrease and its +Inf bucket is its count.
void expect_histogram(const std::map<std::string, double>& m, const std::string& name,
                      const std::string& labels) {
    const std::string extra = labels.empty() ? "" : labels + ",";
    // Walk the bounds in numeric order.
    std::vector<std::pair<double, double>> ordered;
    for (const auto& [key, value] : m) {
        const auto prefix = name + "_bucket{" + extra + "le=\"";
        if (!key.starts_with(prefix)) continue;
        const auto bound = key.substr(prefix.size(), key.size() - prefix.size() - 2);
        ordered.emplace_back(bound == "+Inf" ? 1e300 : std::stod(bound), value);
    }
    std::sort(ordered.begin(), ordered.end());
    EXPECT_GT(ordered.size(), 2u) << name;
    double previous = 0;
    for (const auto& [bound, value] : ordered) {
        EXPECT_GE(value, previous) << name << " le=" << bound;
        previous = value;
    }
    const auto braces = labels.empty() ? "" : "{" + labels + "}";
    ASSERT_TRUE(m.contains(name + "_count" + braces)) << name;
    EXPECT_EQ(previous, m.at(name + "_count" + braces)) << name;
    EXPECT_TRUE(m.contains(name + "_sum" + braces)) << name;
}

TEST(MetricsTest, ScrapedAndParsed) {
    test::temp_dir processes;
    test::temp_dir data;
    processes.write("orders.yaml", accept_all);
    test::server_process server(processes.str(), data.str());
    test::http_session session(server.port());
    for (int i = 0; i < 12; ++i) {
        ASSERT_EQ(session.request("POST", "/ws/simple/createOrder", "{}").status, 202);
    }
    EXPECT_EQ(session.request("POST", "/ws/simple/createOrder", "{").status, 400);
    EXPECT_EQ(session.request("POST", "/ws/simple/no-such-thing", "{}").status, 404);
    EXPECT_EQ(test::http_request(server.port(), "GET", "/_admin/executions").status, 200);

    const auto scrape = test::http_request(server.port(), "GET", "/metrics");
    ASSERT_EQ(scrape.status, 200);
    EXPECT_EQ(scrape.header("Content-Type"), "text/plain; version=0.0.4");
    const auto m = parse(scrape.body);

    EXPECT_EQ(m.at(R"(ferry_requests_total{operation="createOrder",code="202"})"), 12);
    EXPECT_EQ(m.at(R"(ferry_requests_total{operation="createOrder",code="400"})"), 1);
    EXPECT_EQ(m.at(R"(ferry_requests_total{operation="unknown",code="404"})"), 1);
    EXPECT_EQ(m.at(R"(ferry_requests_total{operation="admin",code="200"})"), 1);
    expect_histogram(m, "ferry_request_seconds", R"(operation="createOrder")");
    EXPECT_EQ(m.at(R"(ferry_request_seconds_count{operation="createOrder"})"), 13);

    expect_histogram(m, "ferry_intake_batch_requests", "");
    EXPECT_EQ(m.at("ferry_intake_batch_requests_count"), m.at("ferry_intake_batches_total"));
    EXPECT_EQ(m.at("ferry_intake_batch_requests_sum"), 12);
    expect_histogram(m, "ferry_store_fsync_seconds", "");
    EXPECT_GE(m.at("ferry_store_fsync_seconds_count"), 1);
    EXPECT_TRUE(m.contains("ferry_executions_queued"));
    EXPECT_TRUE(m.contains("ferry_queue_redeliveries_waiting"));
    EXPECT_TRUE(m.contains("ferry_executions_running"));
    EXPECT_TRUE(m.contains("ferry_executions_succeeded_total"));
    EXPECT_EQ(m.at(R"(ferry_http_responses_total{class="2xx"})"), 13);
}

// --log-format json: every stderr line is one JSON object; a failed execution's line names
// the execution and the caller's correlation id.
TEST(LogsTest, JsonLinesCarryExecutionAndCorrelationIds) {
    test::temp_dir processes;
    test::temp_dir data;
    processes.write("orders.yaml", R"(name: orders
listen: {type: create, object: Order, input: single_json, output: none}
steps:
  - id: refuse
    exception: {message: "refused"}
)");
    test::server_process server(processes.str(), data.str(),
                                {"--log-format", "json", "--log-level", "debug"});
    const auto res = test::http_request(server.port(), "POST", "/ws/simple/createOrder", "{}",
                                        {{"X-Correlation-Id", "order-42"}});
    ASSERT_EQ(res.status, 202);
    const auto id = std::string(boost::json::parse(res.body).at("execution_id").as_string());
    test::wait_finished(server.port(), id);
    server.stop();

    std::istringstream lines(server.log());
    std::string line;
    bool found = false;
    int parsed = 0;
    while (std::getline(lines, line)) {
        boost::system::error_code ec;
        const auto v = boost::json::parse(line, ec);
        ASSERT_FALSE(ec) << "not JSON: " << line;
        const auto& o = v.as_object();
        ++parsed;
        EXPECT_TRUE(o.contains("ts") && o.contains("level") && o.contains("component") &&
                    o.contains("msg"))
            << line;
        if (o.at("msg") == "execution failed") {
            found = true;
            EXPECT_EQ(o.at("level"), "warn");
            EXPECT_EQ(o.at("execution_id").as_string(), id);
            EXPECT_EQ(o.at("correlation_id"), "order-42");
            EXPECT_EQ(o.at("process"), "orders");
            EXPECT_EQ(o.at("error"), "step 'refuse': refused");
        }
    }
    EXPECT_TRUE(found) << server.log();
    EXPECT_GE(parsed, 3);  // serving, the execution, draining, stopped
}

}  // namespace
}  // namespace ferry
