// Streamed bulk posts (input ndjson): bodies far larger than the request body limit are stored
// part by part and become one execution; a bad line or a lost client leaves nothing to run.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "support/admin_client.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {

class BulkIngestTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("events.yaml", R"(name: events
listen: {type: create, object: Events, input: ndjson, output: none}
steps:
  - message: {template: "{1}", variables: [current_data]}
)");
    }

    static std::string lines(std::size_t count, std::size_t bad_at = 0) {
        std::string body;
        body.reserve(count * 40);
        for (std::size_t i = 1; i <= count; ++i) {
            body += i == bad_at
                        ? "{broken"
                        : "{\"n\":" + std::to_string(i) + ",\"pad\":\"xxxxxxxxxxxxxxxxxxxx\"}";
            body += i % 7 == 0 ? "\r\n" : "\n";
        }
        return body;
    }

    test::temp_dir processes_;
    test::temp_dir data_;
};

// 100,000 lines in a 4 MB body, with a 1 MB request body limit: the body is never held whole,
// and the receipt covers every line.
TEST_F(BulkIngestTest, HundredThousandLinesBecomeOneExecution) {
    test::server_process server(processes_.str(), data_.str(), {"--body-limit", "1048576"});
    const auto body = lines(100'000);
    ASSERT_GT(body.size(), 3u * 1048576u);
    const auto res = test::http_request(server.port(), "POST", "/ws/simple/createEvents", body,
                                        {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(res.status, 202) << res.body;
    const auto receipt = boost::json::parse(res.body).as_object();
    const std::string id(receipt.at("execution_id").as_string());
    EXPECT_EQ(receipt.at("document_count").as_int64(), 100'000);
    EXPECT_EQ(receipt.at("first_document").as_string(), id + "-0");
    EXPECT_EQ(receipt.at("last_document").as_string(), id + "-99999");
    EXPECT_EQ(receipt.at("durability").as_string(), "fsync");

    const auto execution = test::wait_finished(server.port(), id);
    EXPECT_EQ(execution.at("state").as_string(), "succeeded") << boost::json::serialize(execution);
    EXPECT_EQ(execution.at("documents").as_array().size(), 100'000u);
    const auto last = test::http_request(
        server.port(), "GET", "/_admin/executions/" + id + "/documents/" + id + "-99999");
    ASSERT_EQ(last.status, 200);
    EXPECT_EQ(boost::json::parse(last.body).at("data").as_string(),
              "{\"n\":100000,\"pad\":\"xxxxxxxxxxxxxxxxxxxx\"}");
    EXPECT_EQ(test::metric(server.port(), "ferry_executions_succeeded_total"), "1");
    EXPECT_EQ(server.stop(), 0);
}

// A bad line deep in the body is a 400 naming it; the parts stored before it never run.
TEST_F(BulkIngestTest, BadLineRefusesTheWholePost) {
    test::server_process server(processes_.str(), data_.str(), {"--body-limit", "1048576"});
    const auto refused =
        test::http_request(server.port(), "POST", "/ws/simple/createEvents", lines(30'000, 25'000));
    ASSERT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(refused.body.find("line 25000"), std::string::npos) << refused.body;

    const auto good =
        test::http_request(server.port(), "POST", "/ws/simple/createEvents", lines(10));
    ASSERT_EQ(good.status, 202) << good.body;
    const std::string id(boost::json::parse(good.body).at("execution_id").as_string());
    EXPECT_EQ(test::wait_finished(server.port(), id).at("state").as_string(), "succeeded");
    EXPECT_EQ(test::settled_metric(server.port(), "ferry_executions_succeeded_total", 1), "1");
    EXPECT_EQ(server.stop(), 0);
}

// A line longer than the document limit and a body over the bulk limit are 413s.
TEST_F(BulkIngestTest, LimitsAreEnforced) {
    test::server_process server(processes_.str(), data_.str(),
                                {"--body-limit", "65536", "--bulk-body-limit", "2000000"});
    const std::string long_line = "\"" + std::string(100'000, 'x') + "\"\n";
    const auto too_long =
        test::http_request(server.port(), "POST", "/ws/simple/createEvents", "{}\n" + long_line);
    EXPECT_EQ(too_long.status, 413) << too_long.body;
    EXPECT_NE(too_long.body.find("line_too_large"), std::string::npos);
    const auto too_big =
        test::http_request(server.port(), "POST", "/ws/simple/createEvents", lines(100'000));
    EXPECT_EQ(too_big.status, 413) << too_big.body;
    EXPECT_EQ(server.stop(), 0);
}

}  // namespace ferry
