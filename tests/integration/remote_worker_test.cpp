// Executions run by `ferry worker` processes (issue 4, "Synchronous reply"): the serving
// process dispatches executions with their documents over ZeroMQ tcp, records what workers
// send back and routes replies to the waiting connections; a worker killed mid-execution
// loses nothing.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <thread>

#include "ferry/transport/blocking_client.hpp"
#include "ferry/transport/context.hpp"
#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/local_http_server.hpp"
#include "support/processes.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "workers/worker_protocol.hpp"

namespace ferry {
namespace {

std::string free_tcp_endpoint() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const auto port = ntohs(addr.sin_port);
    ::close(fd);
    return "tcp://127.0.0.1:" + std::to_string(port);
}

}  // namespace

class RemoteWorkerTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("quote.yaml", R"(name: quote
listen: {type: get, object: Quote, input: single_json, output: single_json}
steps:
  - message:
      template: "'{'\"sku\": \"{1}\", \"number\": {2}'}'"
      variables: [{element: sku}, {sequence: quotes}]
  - return: {}
)");
        processes_.write("orders.yaml", R"(name: orders
listen: {type: create, object: Order, input: multiple_json, output: none}
steps:
  - file_write: {directory: orders, file_name: "{1}.json", variables: [document_id]}
)");
        processes_.write("echo.yaml", test::echo_process());
        processes_.write("slow.yaml", test::slow_process(1500));
    }

    std::unique_ptr<test::server_process> serve(const std::string& endpoint) {
        return std::make_unique<test::server_process>(
            processes_.str(), data_.str(),
            std::vector<std::string>{"--executors", "0", "--worker-endpoint", endpoint,
                                     "--worker-lease-ms", "2000"});
    }

    test::temp_dir processes_;
    test::temp_dir data_;
    test::temp_dir workers_;
};

// With no local executors, a worker process runs every kind of call: synchronous (with a
// sequence reserved from the serving process), asynchronous (its file_write on the worker's
// machine) and low_latency in memory.
TEST_F(RemoteWorkerTest, AWorkerProcessRunsSyncAsyncAndLowLatencyCalls) {
    const auto endpoint = free_tcp_endpoint();
    auto server = serve(endpoint);
    auto worker = test::server_process::worker(endpoint, workers_.str() + "/a");

    for (int i = 1; i <= 3; ++i) {
        const auto quote =
            test::http_request(server->port(), "POST", "/ws/simple/getQuote", R"({"sku":"A1"})");
        ASSERT_EQ(quote.status, 200) << quote.body << server->log() << worker->log();
        EXPECT_EQ(quote.body, R"({"sku": "A1", "number": )" + std::to_string(i) + "}");
        EXPECT_EQ(quote.header("X-Durability"), "fsync");
        const auto id = quote.header("X-Execution-Id");
        const auto execution = test::wait_finished(server->port(), id);
        EXPECT_EQ(execution.at("state").as_string(), "succeeded");
        EXPECT_EQ(execution.at("attempts").as_int64(), 1);
    }

    const auto order = test::http_request(server->port(), "POST", "/ws/simple/createOrder",
                                          R"([{"n":1},{"n":2}])");
    ASSERT_EQ(order.status, 202) << order.body;
    const std::string id(boost::json::parse(order.body).at("execution_id").as_string());
    EXPECT_EQ(test::wait_finished(server->port(), id).at("state").as_string(), "succeeded");
    EXPECT_TRUE(std::filesystem::exists(workers_.str() + "/a/files/orders/" + id + "-1.json"));

    const auto echo = test::http_request(server->port(), "POST", "/ws/simple/executeEcho", "ping");
    ASSERT_EQ(echo.status, 200) << echo.body;
    EXPECT_EQ(echo.body, "ping");
    EXPECT_EQ(echo.header("X-Durability"), "none");
    EXPECT_EQ(test::metric(server->port(), "ferry_remote_workers"), "1");
    EXPECT_EQ(worker->stop(), 0);
    EXPECT_EQ(server->stop(), 0);
}

// A worker killed in the middle of an execution loses nothing: once its lease runs out the
// execution goes to another worker and the caller's result is there.
TEST_F(RemoteWorkerTest, AKilledWorkersExecutionRunsAgainElsewhere) {
    const auto endpoint = free_tcp_endpoint();
    auto server = serve(endpoint);
    auto doomed = test::server_process::worker(endpoint, workers_.str() + "/doomed");
    const auto posted = test::http_request(server->port(), "POST", "/ws/simple/createSlow",
                                           R"({"n":7})", {{"Prefer", "respond-async"}});
    ASSERT_EQ(posted.status, 202) << posted.body;
    const auto id = posted.header("X-Execution-Id");
    // Killed as soon as it runs on `doomed` (the step takes 1.5 s; a loaded machine may take a
    // while to connect the worker).
    std::string state;
    test::eventually(
        [&] {
            const auto r = test::http_request(server->port(), "GET", "/_admin/executions/" + id);
            state = boost::json::parse(r.body).at("state").as_string();
            return state == "running";
        },
        std::chrono::seconds(20), std::chrono::milliseconds(20));
    ASSERT_EQ(state, "running");
    doomed->kill9();

    auto rescuer = test::server_process::worker(endpoint, workers_.str() + "/rescuer");
    const auto execution = test::wait_finished(server->port(), id);
    EXPECT_EQ(execution.at("state").as_string(), "succeeded") << boost::json::serialize(execution);
    EXPECT_EQ(execution.at("attempts").as_int64(), 2);
    const auto result =
        test::http_request(server->port(), "GET", "/_admin/executions/" + id + "/result");
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, R"({"done": {"n":7}})");
    EXPECT_EQ(rescuer->stop(), 0);
    EXPECT_EQ(server->stop(), 0);
}

// Executions wait, stored, while no worker is connected; a caller who stopped waiting gets
// the reply at the status link once a worker has come and run it. A restarted serving process
// gets its workers back.
TEST_F(RemoteWorkerTest, ExecutionsWaitForAWorkerAndWorkersOutliveServerRestarts) {
    const auto endpoint = free_tcp_endpoint();
    auto server = serve(endpoint);
    const auto waited = test::http_request(server->port(), "POST", "/ws/simple/getQuote",
                                           R"({"sku":"B2"})", {{"X-Max-Wait", "200"}});
    ASSERT_EQ(waited.status, 202) << waited.body;
    const auto link = waited.header("X-Execution-Status-Link");
    auto worker = test::server_process::worker(endpoint, workers_.str() + "/w");
    const auto id = waited.header("X-Execution-Id");
    EXPECT_EQ(test::wait_finished(server->port(), id).at("state").as_string(), "succeeded");
    const auto result = test::http_request(server->port(), "GET", link);
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, R"({"sku": "B2", "number": 1})");

    EXPECT_EQ(server->stop(), 0);
    server = serve(endpoint);
    const auto again =
        test::http_request(server->port(), "POST", "/ws/simple/getQuote", R"({"sku":"C3"})");
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(worker->stop(), 0);
    EXPECT_EQ(server->stop(), 0);
}

// A worker keeps many leases in flight (issue 24): with two threads it holds as many
// executions waiting on a partner as the partner's bound lets it (64), where a lease at a time
// held two. Killed with all of them waiting, it loses none: they go to the next worker once its
// lease runs out, and every one succeeds.
TEST_F(RemoteWorkerTest, AWorkerKeepsLeasesInFlightAndOneKilledMidBatchLosesNone) {
    using namespace std::chrono_literals;
    test::local_http_server partner([](const test::seen_request& r) {
        return test::canned_reply{200, "ok " + r.body, {}, 0};
    });
    processes_.write("call.yaml",
                     "name: callPartner\n"
                     "listen: {type: create, object: Call, input: single_data, "
                     "output: none}\n"
                     "steps:\n"
                     "  - http_call: {method: POST, url: 'http://127.0.0.1:" +
                         std::to_string(partner.port()) + "/partner', timeout_ms: 120000}\n");
    const auto endpoint = free_tcp_endpoint();
    auto server = serve(endpoint);
    partner.hold(180s);
    constexpr int calls = 300;
    constexpr std::size_t bound = 64;  // http_call's default max_connections
    std::vector<std::string> executions;
    test::http_session session(server->port());
    for (int i = 0; i < calls; ++i) {
        const auto res = session.request("POST", "/ws/simple/createCall",
                                         "{\"call\":" + std::to_string(i) + "}");
        ASSERT_EQ(res.status, 202) << res.body;
        executions.emplace_back(boost::json::parse(res.body).at("execution_id").as_string());
    }
    auto doomed = test::server_process::worker(endpoint, workers_.str() + "/doomed");
    ASSERT_TRUE(test::eventually([&] { return partner.request_count() == bound; }, 60s, 20ms))
        << partner.request_count() << " calls at the partner\n"
        << doomed->log();
    EXPECT_EQ(partner.most_at_once(), bound);
    // The server shows what the worker holds (from its heartbeats): every call leased to it,
    // all waiting (at the partner, or for a place in its bound), 64 of them at the partner.
    const auto partner_name = "http://127.0.0.1:" + std::to_string(partner.port());
    boost::json::object seen;
    const bool shown = test::eventually(
        [&] {
            const auto r = test::http_request(server->port(), "GET", "/_admin/workers");
            const auto workers = boost::json::parse(r.body).at("workers").as_array();
            if (workers.size() != 1) return false;
            seen = workers[0].as_object();
            const auto& at_partner = seen.at("partner_calls_in_flight").as_object();
            return seen.at("leased").to_number<int>() == calls &&
                   seen.at("in_flight").to_number<int>() + seen.at("prefetched").to_number<int>() ==
                       calls &&
                   seen.at("waiting") == seen.at("in_flight") &&
                   seen.at("computing").to_number<int>() == 0 &&
                   at_partner.contains(partner_name) &&
                   at_partner.at(partner_name).to_number<std::size_t>() == bound;
        },
        20s, 50ms);
    EXPECT_TRUE(shown) << seen;
    const std::string worker_id(seen.at("id").as_string());
    const auto metrics = test::http_request(server->port(), "GET", "/metrics").body;
    EXPECT_NE(metrics.find("ferry_worker_executions_leased{worker=\"" + worker_id + "\"} " +
                           std::to_string(calls) + "\n"),
              std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("ferry_worker_partner_calls_in_flight{worker=\"" + worker_id +
                           "\",partner=\"" + partner_name + "\"} 64\n"),
              std::string::npos)
        << metrics;
    const auto listed =
        test::ferry_command("workers --server http://127.0.0.1:" + std::to_string(server->port()));
    ASSERT_TRUE(listed);
    EXPECT_NE(listed->find(worker_id), std::string::npos) << *listed;
    EXPECT_NE(listed->find(partner_name + " 64"), std::string::npos) << *listed;
    doomed->kill9();

    partner.release();
    auto rescuer = test::server_process::worker(endpoint, workers_.str() + "/rescuer");
    int again = 0;
    for (const auto& id : executions) {
        const auto done = test::wait_finished(server->port(), id, 120s);
        ASSERT_EQ(done.at("state").as_string(), "succeeded") << id << ": " << done;
        if (done.at("attempts").as_int64() > 1) ++again;
    }
    EXPECT_GE(again, static_cast<int>(bound)) << "the killed worker's calls ran again";
    EXPECT_EQ(rescuer->stop(), 0);
    EXPECT_EQ(server->stop(), 0);
}

namespace {

transport::frames worker_says(engine::worker_protocol::kind what, std::uint64_t count = 0,
                              std::uint64_t received = 0) {
    engine::worker_protocol::worker_header h;
    h.what = what;
    h.worker_id = "careless";
    h.count = count;
    h.received = received;
    return {engine::worker_protocol::encode_header(h)};
}

}  // namespace

// Work a worker could not read (or whose outcome the serving process could not) is not held
// until the worker goes silent: the worker's next "holding nothing" names the last work message
// it received, and what that carried runs again, while the worker stays alive. So does what was
// sent to it longer than a lease ago and never arrived (issue 24).
TEST_F(RemoteWorkerTest, WorkAWorkerDroppedUnreadRunsAgainWhenItSaysItHoldsNothing) {
    namespace proto = engine::worker_protocol;
    using namespace std::chrono_literals;
    const auto endpoint = free_tcp_endpoint();
    auto server = serve(endpoint);  // --worker-lease-ms 2000
    std::vector<std::string> ids;
    for (int n = 0; n < 2; ++n) {
        const auto posted =
            test::http_request(server->port(), "POST", "/ws/simple/createSlow",
                               "{\"n\":" + std::to_string(n) + "}", {{"Prefer", "respond-async"}});
        ASSERT_EQ(posted.status, 202) << posted.body;
        ids.push_back(posted.header("X-Execution-Id"));
    }

    // A worker, by the protocol, that drops what it is sent as if unreadable, and stays alive
    // (its heartbeats keep its leases for good).
    transport::context ctx;
    transport::blocking_client feed(ctx, endpoint);
    std::atomic<bool> done{false};
    std::thread heartbeat([&] {
        transport::blocking_client alive(ctx, endpoint);
        while (!done) {
            (void)alive.send(worker_says(proto::kind::alive));
            std::this_thread::sleep_for(200ms);
        }
    });
    const auto take_one = [&]() -> std::uint64_t {
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < give_up) {
            if (const auto in = feed.receive(100ms)) {
                if (const auto number = proto::work_number(*in)) return *number;
            }
        }
        ADD_FAILURE() << "no work came";
        return 0;
    };
    const auto taken_back = [&] {
        const auto log = server->log();
        std::size_t n = 0;
        for (auto at = log.find("a worker holds nothing of executions it was sent");
             at != std::string::npos;
             at = log.find("a worker holds nothing of executions it was sent", at + 1)) {
            ++n;
        }
        return n;
    };

    // It received message `first` and holds nothing: that execution is taken back at once.
    ASSERT_TRUE(feed.send(worker_says(proto::kind::ready_all, 1)));
    const auto first = take_one();
    ASSERT_TRUE(feed.send(worker_says(proto::kind::ready_all, 0, first)));
    EXPECT_TRUE(test::eventually([&] { return taken_back() == 1; }, 10s, 20ms)) << server->log();

    // Another message it never names: held while recent, taken back once a lease old.
    ASSERT_TRUE(feed.send(worker_says(proto::kind::ready, 1)));
    const auto second = take_one();
    EXPECT_GT(second, first);
    ASSERT_TRUE(feed.send(worker_says(proto::kind::ready_all, 0, first)));
    std::this_thread::sleep_for(2500ms);  // past --worker-lease-ms
    EXPECT_EQ(taken_back(), 1u) << server->log();
    ASSERT_TRUE(feed.send(worker_says(proto::kind::ready_all, 0, first)));
    EXPECT_TRUE(test::eventually([&] { return taken_back() == 2; }, 10s, 20ms)) << server->log();

    // Both run on a worker that works; the two taken back count an attempt each.
    auto worker = test::server_process::worker(endpoint, workers_.str() + "/w");
    std::int64_t attempts = 0;
    for (const auto& id : ids) {
        const auto execution = test::wait_finished(server->port(), id);
        EXPECT_EQ(execution.at("state").as_string(), "succeeded")
            << boost::json::serialize(execution);
        attempts += execution.at("attempts").as_int64();
    }
    EXPECT_EQ(attempts, 4);
    done = true;
    heartbeat.join();
    EXPECT_EQ(worker->stop(), 0);
    EXPECT_EQ(server->stop(), 0);
}

}  // namespace ferry
