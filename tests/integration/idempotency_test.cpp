// Idempotent posts over the real server (SPEC §4): a repeated Idempotency-Key returns the
// first post's receipt or reply, under concurrency and across a restart, and the process runs
// once.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/processes.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {

class IdempotencyTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("orders.yaml", R"(name: orders
listen: {type: create, object: Order, input: multiple_json, output: none}
steps:
  - message: {template: "{1}", variables: [current_data]}
)");
        // Slow enough (a 400 ms retry backoff) that repeats arrive while it runs.
        processes_.write("slow.yaml", test::slow_process(400));
        processes_.write("echo.yaml", test::echo_process());
        processes_.write("events.yaml", R"(name: events
listen: {type: create, object: Events, input: ndjson, output: none}
steps:
  - message: {template: "{1}", variables: [current_data]}
)");
    }

    // Every request at once from its own thread, as independent clients would.
    static std::vector<test::http_reply> concurrently(
        std::size_t count, std::uint16_t port, const std::string& target, const std::string& body,
        const std::map<std::string, std::string>& headers) {
        std::vector<test::http_reply> replies(count);
        std::vector<std::thread> clients;
        for (std::size_t i = 0; i < count; ++i) {
            clients.emplace_back(
                [&, i] { replies[i] = test::http_request(port, "POST", target, body, headers); });
        }
        for (auto& c : clients) c.join();
        return replies;
    }

    test::temp_dir processes_;
    test::temp_dir data_;
};

// Twenty clients post the same keyed order at once: one execution, twenty identical receipts,
// nineteen of them marked as replayed; the documents are stored once.
TEST_F(IdempotencyTest, ConcurrentRepeatsOfAnAsyncPostRunOnce) {
    test::server_process server(processes_.str(), data_.str());
    const auto replies = concurrently(20, server.port(), "/ws/simple/createOrder",
                                      R"([{"n":1},{"n":2}])", {{"Idempotency-Key", "order-77"}});
    std::string receipt;
    int replayed = 0;
    for (const auto& r : replies) {
        ASSERT_EQ(r.status, 202) << r.body;
        if (receipt.empty()) receipt = r.body;
        EXPECT_EQ(r.body, receipt);
        replayed += r.header("Idempotent-Replayed") == "true" ? 1 : 0;
    }
    EXPECT_EQ(replayed, 19);
    const std::string id(boost::json::parse(receipt).at("execution_id").as_string());
    EXPECT_EQ(test::wait_finished(server.port(), id).at("state").as_string(), "succeeded");
    EXPECT_EQ(test::settled_metric(server.port(), "ferry_executions_succeeded_total", 1), "1");
    EXPECT_EQ(test::metric(server.port(), "ferry_documents_committed_total"), "2");

    // X-Idempotency-Key is the same key; without a key the same body is a new post.
    const auto alias =
        test::http_request(server.port(), "POST", "/ws/simple/createOrder", R"([{"n":1},{"n":2}])",
                           {{"X-Idempotency-Key", "order-77"}});
    EXPECT_EQ(alias.status, 202);
    EXPECT_EQ(alias.body, receipt);
    const auto fresh =
        test::http_request(server.port(), "POST", "/ws/simple/createOrder", R"([{"n":1},{"n":2}])");
    ASSERT_EQ(fresh.status, 202);
    EXPECT_NE(fresh.body, receipt);
    EXPECT_EQ(server.stop(), 0);
}

// Repeats of a synchronous call that is still running wait for the first call's reply and
// get it; the process runs once.
TEST_F(IdempotencyTest, ConcurrentRepeatsOfASyncCallShareOneReply) {
    test::server_process server(processes_.str(), data_.str());
    const auto replies = concurrently(8, server.port(), "/ws/simple/createSlow", R"({"sku":"A1"})",
                                      {{"Idempotency-Key", "quote-A1"}});
    std::string execution;
    int replayed = 0;
    for (const auto& r : replies) {
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.body, R"({"done": {"sku":"A1"}})");
        if (execution.empty()) execution = r.header("X-Execution-Id");
        EXPECT_EQ(r.header("X-Execution-Id"), execution);
        replayed += r.header("Idempotent-Replayed") == "true" ? 1 : 0;
    }
    EXPECT_EQ(replayed, 7);
    EXPECT_EQ(test::settled_metric(server.port(), "ferry_executions_succeeded_total", 1), "1");

    EXPECT_EQ(server.stop(), 0);
}

// A repeat that gives up before the first call's reply is ready gets a 202 with the status
// link; the link serves the reply once the single run finished.
TEST_F(IdempotencyTest, ImpatientRepeatGetsTheStatusLink) {
    test::server_process server(processes_.str(), data_.str());
    std::thread first([&] {
        (void)test::http_request(server.port(), "POST", "/ws/simple/createSlow", R"({"sku":"C3"})",
                                 {{"Idempotency-Key", "quote-C3"}});
    });
    // The first call is stored (and running) before the repeat comes.
    EXPECT_TRUE(test::eventually(
        [&] { return test::metric(server.port(), "ferry_documents_committed_total") == "1"; }));
    const auto repeat =
        test::http_request(server.port(), "POST", "/ws/simple/createSlow", R"({"sku":"C3"})",
                           {{"Idempotency-Key", "quote-C3"}, {"X-Max-Wait", "0"}});
    first.join();
    ASSERT_EQ(repeat.status, 202) << repeat.body;
    EXPECT_EQ(repeat.header("Idempotent-Replayed"), "true");
    const auto link = repeat.header("X-Execution-Status-Link");
    ASSERT_FALSE(link.empty());
    // The first call may have stopped waiting before the run finished (a loaded machine):
    // the link answers 202 "running" until then, and the reply once it did.
    test::http_reply result;
    EXPECT_TRUE(test::eventually([&] {
        result = test::http_request(server.port(), "GET", link);
        return result.status != 202;
    }));
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, R"({"done": {"sku":"C3"}})");
    EXPECT_EQ(test::settled_metric(server.port(), "ferry_executions_succeeded_total", 1), "1");
    EXPECT_EQ(server.stop(), 0);
}

// The same key with another body is 422 and stores nothing; a malformed key is 400.
TEST_F(IdempotencyTest, KeyReuseAndMalformedKeysAreRefused) {
    test::server_process server(processes_.str(), data_.str());
    const auto first = test::http_request(server.port(), "POST", "/ws/simple/createOrder",
                                          R"([{"n":1}])", {{"Idempotency-Key", "k-1"}});
    ASSERT_EQ(first.status, 202);
    const auto reused = test::http_request(server.port(), "POST", "/ws/simple/createOrder",
                                           R"([{"n":2}])", {{"Idempotency-Key", "k-1"}});
    EXPECT_EQ(reused.status, 422) << reused.body;
    EXPECT_EQ(boost::json::parse(reused.body).at("error").as_string(), "idempotency_key_reused");
    const auto other_query =
        test::http_request(server.port(), "POST", "/ws/simple/createOrder?region=eu",
                           R"([{"n":1}])", {{"Idempotency-Key", "k-1"}});
    EXPECT_EQ(other_query.status, 422) << other_query.body;

    for (const std::string& bad : {std::string(256, 'k'), std::string("two words")}) {
        const auto refused = test::http_request(server.port(), "POST", "/ws/simple/createOrder",
                                                R"([{"n":1}])", {{"Idempotency-Key", bad}});
        EXPECT_EQ(refused.status, 400) << refused.body;
        EXPECT_EQ(boost::json::parse(refused.body).at("error").as_string(),
                  "invalid_idempotency_key");
    }
    // Not awaiting a condition: time for a wrongly accepted post to be committed.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(test::metric(server.port(), "ferry_documents_committed_total"), "1");
    EXPECT_EQ(server.stop(), 0);
}

// Keys are durable: after a restart the repeat still gets the original receipt; after
// the retention window the key is free again.
TEST_F(IdempotencyTest, KeysSurviveARestartAndExpire) {
    std::string receipt;
    {
        test::server_process server(processes_.str(), data_.str());
        const auto first = test::http_request(server.port(), "POST", "/ws/simple/createOrder",
                                              R"([{"n":1}])", {{"Idempotency-Key", "k-9"}});
        ASSERT_EQ(first.status, 202);
        receipt = first.body;
        server.kill9();
    }
    {
        test::server_process server(processes_.str(), data_.str());
        const auto again = test::http_request(server.port(), "POST", "/ws/simple/createOrder",
                                              R"([{"n":1}])", {{"Idempotency-Key", "k-9"}});
        EXPECT_EQ(again.status, 202);
        EXPECT_EQ(again.body, receipt);
        EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
        EXPECT_EQ(server.stop(), 0);
    }
    test::server_process server(processes_.str(), data_.str(), {"--idempotency-ttl-seconds", "1"});
    const auto short_lived = test::http_request(server.port(), "POST", "/ws/simple/createOrder",
                                                R"([{"n":5}])", {{"Idempotency-Key", "k-10"}});
    ASSERT_EQ(short_lived.status, 202);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the 1 s time to live passes
    const auto later = test::http_request(server.port(), "POST", "/ws/simple/createOrder",
                                          R"([{"n":5}])", {{"Idempotency-Key", "k-10"}});
    ASSERT_EQ(later.status, 202);
    EXPECT_NE(later.body, short_lived.body);
    EXPECT_EQ(later.header("Idempotent-Replayed"), "");
    EXPECT_EQ(server.stop(), 0);
}

// A low_latency call with a key runs stored, so that its repeat can be answered; a repeated
// bulk upload returns the first upload's receipt.
TEST_F(IdempotencyTest, LowLatencyAndBulkPostsHonourKeys) {
    test::server_process server(processes_.str(), data_.str());
    const auto first = test::http_request(server.port(), "POST", "/ws/simple/executeEcho", "ping",
                                          {{"Idempotency-Key", "e-1"}});
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.body, "ping");
    EXPECT_EQ(first.header("X-Durability"), "fsync");
    const auto again = test::http_request(server.port(), "POST", "/ws/simple/executeEcho", "ping",
                                          {{"Idempotency-Key", "e-1"}});
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body, "ping");
    EXPECT_EQ(again.header("X-Execution-Id"), first.header("X-Execution-Id"));
    EXPECT_EQ(again.header("Idempotent-Replayed"), "true");

    std::string lines;
    for (int i = 0; i < 5000; ++i) lines += "{\"n\":" + std::to_string(i) + "}\n";
    const auto upload = test::http_request(server.port(), "POST", "/ws/simple/createEvents", lines,
                                           {{"Idempotency-Key", "b-1"}});
    ASSERT_EQ(upload.status, 202) << upload.body;
    const auto repeat = test::http_request(server.port(), "POST", "/ws/simple/createEvents", lines,
                                           {{"Idempotency-Key", "b-1"}});
    ASSERT_EQ(repeat.status, 202) << repeat.body;
    EXPECT_EQ(repeat.body, upload.body);
    EXPECT_EQ(repeat.header("Idempotent-Replayed"), "true");
    const auto changed = test::http_request(server.port(), "POST", "/ws/simple/createEvents",
                                            lines + "{\"n\":-1}\n", {{"Idempotency-Key", "b-1"}});
    EXPECT_EQ(changed.status, 422) << changed.body;
    EXPECT_EQ(server.stop(), 0);
}

}  // namespace ferry
