// Synchronous operations over the real server: the executor's reply reaches the waiting
// connection by correlation id; response control, early respond, failures, waiting limits and
// the in-memory low_latency mode (SPEC §2, §4, §5).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {

class SyncReplyTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("quote.yaml", R"(name: quote
mode: general
listen: {type: get, object: Quote, input: single_json, output: single_json}
steps:
  - id: price
    message:
      template: "'{'\"sku\": \"{1}\", \"price\": 12.50, \"for\": \"{2}\"'}'"
      variables: [{element: sku}, {process_property: inuser}]
  - id: control
    set_properties:
      - {document: outstatuscode, value: {static: "203"}}
      - {document: outheader_Cache-Control, value: {static: max-age=60}}
  - return: {}
)");
        processes_.write("ack.yaml", R"(name: ack
listen: {type: create, object: Ack, input: single_json, output: single_json}
steps:
  - branch:
      paths:
        - steps:
            - message: {template: "'{'\"ok\": true'}'"}
            - return: {respond: early}
        - steps:
            # Slow work after the acknowledgement: a retry with backoff that then gives up.
            - try_catch:
                retries: 1
                backoff_ms: 1500
                try:
                  - exception: {message: busy}
                catch:
                  - file_write: {directory: later, file_name: done}
)");
        processes_.write("strict.yaml", R"(name: strict
listen: {type: get, object: Strict, input: single_json, output: multiple_json}
steps:
  - decision:
      left: {element: id}
      op: "="
      right: {static: ""}
      then:
        - id: refuse
          exception: {message: "an id is required"}
      else:
        - split: {by: json_array, path: items}
        - return: {}
)");
        processes_.write("fast.yaml", R"(name: fast
mode: low_latency
listen: {type: get, object: Fast, input: single_json, output: single_json}
steps:
  - message: {template: "'{'\"echo\": {1}'}'", variables: [current_data]}
  - return: {}
)");
        processes_.write("slow.yaml", R"(name: slow
listen: {type: get, object: Slow, input: single_json, output: single_json}
steps:
  - try_catch:
      retries: 1
      backoff_ms: 800
      try:
        - exception: {message: busy}
      catch:
        - file_write: {directory: slow, file_name: "{1}", variables: [execution_id]}
        - return: {}
)");
        server_ = std::make_unique<test::server_process>(processes_.str(), data_.str());
    }

    test::temp_dir processes_;
    test::temp_dir data_;
    std::unique_ptr<test::server_process> server_;
};

// The reply is the process's output; one result document's properties set the status and
// headers; the execution is stored (general mode) and readable.
TEST_F(SyncReplyTest, ReplyCarriesTheOutputAndResponseControl) {
    const auto res =
        test::http_request(server_->port(), "POST", "/ws/simple/getQuote", R"({"sku": "KB-204"})",
                           {{"Authorization", "Basic YWRhOnNlY3JldA=="}});
    ASSERT_EQ(res.status, 203) << res.body;
    EXPECT_EQ(res.body, R"({"sku": "KB-204", "price": 12.50, "for": "ada"})");
    EXPECT_EQ(res.headers.at("Content-Type"), "application/json");
    EXPECT_EQ(res.headers.at("Cache-Control"), "max-age=60");
    EXPECT_EQ(res.headers.at("X-Durability"), "fsync");
    // The caller is answered as soon as the reply is computed; the outcome is recorded right
    // after (issue 24), so history shows it finished shortly.
    const auto id = res.headers.at("X-Execution-Id");
    EXPECT_EQ(test::wait_finished(server_->port(), id).at("state").as_string(), "succeeded");
}

// respond: early answers as soon as the acknowledgement reaches the return step, while the
// slow path goes on after the reply.
TEST_F(SyncReplyTest, EarlyRespondDoesNotWaitForTheSlowPath) {
    const auto started = std::chrono::steady_clock::now();
    const auto res = test::http_request(server_->port(), "POST", "/ws/simple/createAck", "{}");
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.body, R"({"ok": true})");
    EXPECT_LT(took, std::chrono::milliseconds(1200));  // the slow path takes 1.5 s
    const auto done = data_.path() / "files/later/done";
    EXPECT_TRUE(
        test::eventually([&] { return std::filesystem::exists(done); }, std::chrono::seconds(10)));
}

// Lists: one JSON array, empty when nothing returned; an uncaught failure is 500 naming the
// step, and the execution stays stored as failed.
TEST_F(SyncReplyTest, ListsAndFailures) {
    const auto two = test::http_request(server_->port(), "POST", "/ws/simple/getStrict",
                                        R"({"id": "7", "items": [{"a":1},{"a":2}]})");
    ASSERT_EQ(two.status, 200) << two.body;
    EXPECT_EQ(two.body, R"([{"a":1},{"a":2}])");
    const auto none = test::http_request(server_->port(), "POST", "/ws/simple/getStrict",
                                         R"({"id": "8", "items": []})");
    ASSERT_EQ(none.status, 200) << none.body;
    EXPECT_EQ(none.body, "[]");
    const auto failed =
        test::http_request(server_->port(), "POST", "/ws/simple/getStrict", R"({"id": ""})");
    ASSERT_EQ(failed.status, 500) << failed.body;
    const auto body = boost::json::parse(failed.body).as_object();
    EXPECT_EQ(body.at("error").as_string(), "execution_failed");
    EXPECT_EQ(body.at("step").as_string(), "refuse");
    EXPECT_EQ(body.at("message").as_string(), "an id is required");
    EXPECT_EQ(test::wait_finished(server_->port(), failed.headers.at("X-Execution-Id"))
                  .at("state")
                  .as_string(),
              "failed");
}

// A caller that will not wait (X-Max-Wait, Prefer: respond-async) gets 202 with the execution
// id and a link to follow it; the execution still completes.
TEST_F(SyncReplyTest, ShortWaitsTurnInto202WithAStatusLink) {
    const auto res = test::http_request(server_->port(), "POST", "/ws/simple/getQuote",
                                        R"({"sku": "A"})", {{"Prefer", "respond-async"}});
    ASSERT_EQ(res.status, 202) << res.body;
    const auto link = "/_admin/executions/" + res.headers.at("X-Execution-Id");
    EXPECT_EQ(res.headers.at("X-Execution-Status-Link"), link + "/result");
    std::string state;
    test::eventually(
        [&] {
            state = std::string(
                boost::json::parse(test::http_request(server_->port(), "GET", link).body)
                    .at("state")
                    .as_string());
            return state == "succeeded";
        },
        std::chrono::seconds(10), std::chrono::milliseconds(20));
    EXPECT_EQ(state, "succeeded");
}

// low_latency runs in memory: the reply comes back, and nothing was stored; X-Debug runs the
// same call as a stored general-mode execution.
TEST_F(SyncReplyTest, LowLatencyStoresNothing) {
    const auto res =
        test::http_request(server_->port(), "POST", "/ws/simple/getFast", R"({"n":1})");
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.body, R"({"echo": {"n":1}})");
    EXPECT_EQ(res.headers.at("X-Durability"), "none");
    const auto history = test::http_request(
        server_->port(), "GET", "/_admin/executions/" + res.headers.at("X-Execution-Id"));
    EXPECT_EQ(history.status, 404) << history.body;
    const auto debug = test::http_request(server_->port(), "POST", "/ws/simple/getFast",
                                          R"({"n":2})", {{"X-Debug", "true"}});
    ASSERT_EQ(debug.status, 200) << debug.body;
    EXPECT_EQ(debug.headers.at("X-Durability"), "fsync");
    const auto stored = test::http_request(
        server_->port(), "GET", "/_admin/executions/" + debug.headers.at("X-Execution-Id"));
    EXPECT_EQ(stored.status, 200) << stored.body;
}

// A caller that hangs up does not cancel its execution: it runs to the end, and a retry with
// the same idempotency key gets the reply it missed without running the process again.
TEST_F(SyncReplyTest, CallerDisconnectDoesNotCancelTheExecution) {
    const std::string body = R"({"sku":"Z9"})";
    const auto request =
        "POST /ws/simple/getSlow HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/json\r\nIdempotency-Key: slow-1\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    // Sent, then the connection is closed after 100 ms, long before the reply.
    const auto heard = test::raw_exchange(server_->port(), request, 100);
    EXPECT_EQ(heard, "");

    // The file is named after the execution; file_write writes `<name>.tmp<n>` first and
    // renames it, so only a name without ".tmp" is the finished file.
    const auto written = data_.path() / "files/slow";
    std::string id;
    test::eventually([&] {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(written, ec)) {
            const auto name = entry.path().filename().string();
            if (name.find(".tmp") == std::string::npos) id = name;
        }
        return !id.empty();
    });
    ASSERT_FALSE(id.empty()) << "the slow process wrote no file";
    EXPECT_EQ(test::wait_finished(server_->port(), id).at("state").as_string(), "succeeded");

    const auto retry =
        test::http_request(server_->port(), "POST", "/ws/simple/getSlow", body,
                           {{"Content-Type", "application/json"}, {"Idempotency-Key", "slow-1"}});
    EXPECT_EQ(retry.status, 200) << retry.body;
    EXPECT_EQ(retry.body, body);
    EXPECT_EQ(retry.headers.at("X-Execution-Id"), id);
    EXPECT_EQ(retry.headers.at("Idempotent-Replayed"), "true");
    EXPECT_EQ(test::metric(server_->port(), "ferry_executions_succeeded_total"), "1");
}

}  // namespace ferry
