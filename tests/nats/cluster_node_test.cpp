// `ferry serve --cluster`: an ingress node answers 202 only once a post is in its own store
// (fsync) and acknowledged by the cluster, and its outbox brings back what the cluster lost.
// Real nats-server, real ferry binaries.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "ferry/nats/connection.hpp"
#include "nats/recorded_outcomes.hpp"
#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/local_http_server.hpp"
#include "support/nats_cluster.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;

/// Stores each posted order as the answer of an execution (async: output none).
std::string orders_process() {
    return R"(name: orders
listen: {type: create, object: Order, input: single_json, output: none}
steps:
  - message: {template: "'{'\"stored\": {1}'}'", variables: [current_data]}
)";
}

/// Answers the caller with what it was sent (sync: output single_json).
std::string quote_process() {
    return R"(name: quote
listen: {type: get, object: Quote, input: single_json, output: single_json}
steps:
  - message: {template: "'{'\"quoted\": {1}'}'", variables: [current_data]}
  - return: {}
)";
}

/// Posts orders from one thread per ingress node until stopped, as clients behind a load
/// balancer: a node that stops answering (killed) is left for the next one. Keeps the ids of
/// the posts answered 202; anything else must be a 503 (or no answer from a dead node).
class order_load {
public:
    explicit order_load(std::vector<std::uint16_t> ports) {
        for (std::size_t first = 0; first < ports.size(); ++first) {
            posters_.emplace_back([this, ports, first] {
                std::size_t at = first;
                auto session = std::make_unique<test::http_session>(ports[at]);
                for (int i = 0; !stop_; ++i) {
                    const auto res = session->request("POST", "/ws/simple/createOrder",
                                                      "{\"order\": " + std::to_string(i) + "}",
                                                      {{"Content-Type", "application/json"}});
                    if (res.status == 202) {
                        std::lock_guard lock(mutex_);
                        acknowledged_.push_back(res.header("X-Execution-Id"));
                    } else if (res.status == 0) {
                        at = (at + 1) % ports.size();  // the node is gone: the next one
                        session = std::make_unique<test::http_session>(ports[at]);
                        std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    } else {
                        ++refused_;
                        EXPECT_EQ(res.status, 503) << res.body;
                    }
                }
            });
        }
    }
    ~order_load() { (void)stop(); }

    std::size_t acknowledged() {
        std::lock_guard lock(mutex_);
        return acknowledged_.size();
    }
    int refused() const { return refused_.load(); }
    /// Waits until `more` posts more than now were acknowledged (false after `limit`).
    bool goes_on(std::size_t more, std::chrono::seconds limit = std::chrono::seconds(60)) {
        const auto target = acknowledged() + more;
        return test::eventually([&] { return acknowledged() >= target; }, limit);
    }
    /// Stops posting; the ids of every post answered 202.
    std::vector<std::string> stop() {
        stop_ = true;
        for (auto& p : posters_) {
            if (p.joinable()) p.join();
        }
        std::lock_guard lock(mutex_);
        return acknowledged_;
    }

private:
    std::mutex mutex_;
    std::vector<std::string> acknowledged_;
    std::atomic<int> refused_{0};
    std::atomic<bool> stop_{false};
    std::vector<std::thread> posters_;
};

/// Every id has its one outcome recorded, succeeded.
void expect_all_succeeded(nats::connection& observer, const std::vector<std::string>& ids,
                          const std::string& logs) {
    const auto done = test_support::wait_for_outcomes(observer, ids, 90s);
    ASSERT_EQ(done.size(), ids.size()) << "acknowledged posts not recorded\n" << logs;
    for (const auto& [id, rec] : done) {
        EXPECT_EQ(rec.state, store::execution_state::succeeded) << id << ": " << rec.error;
    }
}

class ClusterNode : public ::testing::Test {
protected:
    ClusterNode() : nats_servers_(1) {
        dir_.write("processes/orders.yaml", orders_process());
        dir_.write("processes/quote.yaml", quote_process());
    }

    std::string processes() const { return (dir_.path() / "processes").string(); }
    std::string url() const { return nats_servers_.urls()[0]; }

    std::unique_ptr<test::server_process> node(const std::string& name) {
        return std::make_unique<test::server_process>(
            processes(), (dir_.path() / name).string(),
            std::vector<std::string>{"--cluster", url(), "--node", name, "--executors", "0"});
    }

    std::unique_ptr<test::server_process> worker(const std::string& name) {
        return test::server_process::cluster_worker(url(), processes(),
                                                    (dir_.path() / name).string());
    }

    /// Posts `count` orders; the execution ids of those answered 202.
    std::vector<std::string> post(std::uint16_t port, int count, int first = 0) {
        std::vector<std::string> ids;
        test::http_session session(port);
        for (int i = first; i < first + count; ++i) {
            const auto res = session.request("POST", "/ws/simple/createOrder",
                                             "{\"order\": " + std::to_string(i) + "}",
                                             {{"Content-Type", "application/json"}});
            EXPECT_EQ(res.status, 202) << res.body;
            EXPECT_NE(res.body.find("fsync+cluster"), std::string::npos) << res.body;
            if (res.status == 202) ids.push_back(res.header("X-Execution-Id"));
        }
        return ids;
    }

    nats::connection& observer() {
        if (!nats_) {
            nats::connection_settings s;
            s.urls = nats_servers_.urls();
            nats_ = nats::connection::open(s).value();
        }
        return *nats_;
    }

    test::nats_cluster nats_servers_;
    test::temp_dir dir_;
    std::unique_ptr<nats::connection> nats_;
};

// Posts to two ingress nodes are acknowledged as stored here and in the cluster, and run by a
// worker process elsewhere, each once.
TEST_F(ClusterNode, PostsToTwoNodesRunOnAWorkerElsewhere) {
    auto a = node("a");
    auto b = node("b");
    auto w = worker("w");
    auto ids = post(a->port(), 40);
    const auto more = post(b->port(), 40, 40);
    ids.insert(ids.end(), more.begin(), more.end());
    ASSERT_EQ(ids.size(), 80u);
    const auto done = test_support::wait_for_outcomes(observer(), ids, 30s);
    ASSERT_EQ(done.size(), ids.size()) << w->log();
    for (const auto& [id, rec] : done) {
        EXPECT_EQ(rec.state, store::execution_state::succeeded) << id << ": " << rec.error;
        EXPECT_EQ(rec.attempts, 1u) << id;
    }
    // Either node's history has every outcome and its request document, whichever node took
    // the post.
    for (const auto* n : {a.get(), b.get()}) {
        for (const auto& id : {ids.front(), ids.back()}) {
            const auto seen = test::wait_finished(n->port(), id, 30s);
            EXPECT_EQ(seen.at("state").as_string(), "succeeded") << id;
            const auto doc = test::http_request(
                n->port(), "GET", "/_admin/executions/" + id + "/documents/" + id + "-0");
            EXPECT_EQ(doc.status, 200) << doc.body;
            EXPECT_NE(doc.body.find("order"), std::string::npos) << doc.body;
        }
    }
}

// A synchronous call on a node with no executors of its own is answered: a worker process ran
// it and sent the reply to the node holding the connection.
TEST_F(ClusterNode, ASyncCallIsAnsweredThoughAWorkerElsewhereRanIt) {
    auto a = node("a");
    auto w = worker("w");
    test::http_session session(a->port());
    for (int i = 0; i < 20; ++i) {
        const auto res =
            session.request("POST", "/ws/simple/getQuote", "{\"sku\": " + std::to_string(i) + "}",
                            {{"Content-Type", "application/json"}});
        ASSERT_EQ(res.status, 200) << res.body << "\n" << a->log() << w->log();
        EXPECT_EQ(res.body, "{\"quoted\": {\"sku\": " + std::to_string(i) + "}}");
    }
}

// A deploy on one node is served by the other within a second (the cluster's control bucket,
// which every node follows) and runs on a worker elsewhere, which follows it too; a listener
// paused on one node is paused on every node, and resumed from any.
TEST_F(ClusterNode, ADeployOnOneNodeIsServedByEveryNodeWithinASecond) {
    auto a = node("a");
    auto b = node("b");
    auto w = worker("w");
    const auto quote = [&](std::uint16_t port) {
        return test::http_request(port, "POST", "/ws/simple/getQuote", "{\"sku\": 7}",
                                  {{"Content-Type", "application/json"}});
    };
    const auto version_on = [&](std::uint16_t port) -> std::int64_t {
        const auto res = test::http_request(port, "GET", "/_admin/listeners");
        if (res.status != 200) return -1;
        const auto listed = boost::json::parse(res.body);
        for (const auto& l : listed.at("listeners").as_array()) {
            if (l.at("process") == "quote") return l.at("version").as_int64();
        }
        return 0;
    };
    ASSERT_EQ(version_on(b->port()), 1);

    const auto deployed = test::http_request(a->port(), "POST", "/_admin/processes",
                                             R"(name: quote
version: 2
listen: {type: get, object: Quote, input: single_json, output: single_json}
steps:
  - message: {template: "'{'\"quoted_v2\": {1}'}'", variables: [current_data]}
  - return: {}
)",
                                             {{"Content-Type", "application/yaml"}});
    ASSERT_EQ(deployed.status, 201) << deployed.body;
    const auto deployed_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(test::eventually([&] { return version_on(b->port()) == 2; }, 5s, 10ms)) << b->log();
    const auto took = std::chrono::steady_clock::now() - deployed_at;
    EXPECT_LT(took, 1s) << "node b served version 2 after "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                        << " ms";
    // Posted to b, run by the worker: version 2, which neither b's nor the worker's files hold.
    const auto answered = quote(b->port());
    EXPECT_EQ(answered.status, 200) << answered.body << w->log();
    EXPECT_EQ(answered.body, "{\"quoted_v2\": {\"sku\": 7}}");

    ASSERT_EQ(test::http_request(a->port(), "POST", "/_admin/listeners/quote/pause").status, 200);
    ASSERT_TRUE(test::eventually([&] { return quote(b->port()).status == 503; }, 5s, 10ms));
    EXPECT_NE(quote(b->port()).body.find("listener_paused"), std::string::npos);
    ASSERT_EQ(test::http_request(b->port(), "POST", "/_admin/listeners/quote/resume").status, 200);
    ASSERT_TRUE(test::eventually([&] { return quote(a->port()).status == 200; }, 5s, 10ms));

    // A node that starts later serves what the cluster deployed, though its files say otherwise.
    auto c = node("c");
    EXPECT_EQ(version_on(c->port()), 2);
}

// An Idempotency-Key is the cluster's: a repeat on the other node gets the original receipt
// and runs nothing again; the key reused for another request is refused there (422). Posted to both
// nodes at once, one execution runs and both callers get its receipt.
TEST_F(ClusterNode, AnIdempotentRepeatOnTheOtherNodeGetsTheOriginalReceipt) {
    auto a = node("a");
    auto b = node("b");
    auto w = worker("w");
    const auto post_keyed = [&](std::uint16_t port, const std::string& key, int order) {
        return test::http_request(port, "POST", "/ws/simple/createOrder",
                                  "{\"order\": " + std::to_string(order) + "}",
                                  {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
    };
    const auto first = post_keyed(a->port(), "order-77", 77);
    ASSERT_EQ(first.status, 202) << first.body;
    const auto id = first.header("X-Execution-Id");
    const auto repeat = post_keyed(b->port(), "order-77", 77);
    ASSERT_EQ(repeat.status, 202) << repeat.body;
    EXPECT_EQ(repeat.header("X-Execution-Id"), id);
    EXPECT_EQ(repeat.header("Idempotent-Replayed"), "true");
    EXPECT_EQ(post_keyed(b->port(), "order-77", 78).status, 422);  // as on one node

    // Both nodes at once, ten fresh keys.
    std::vector<std::string> ids = {id};
    for (int k = 0; k < 10; ++k) {
        const auto key = "race-" + std::to_string(k);
        test::http_reply on_a;
        std::thread other([&] { on_a = post_keyed(a->port(), key, k); });
        const auto on_b = post_keyed(b->port(), key, k);
        other.join();
        ASSERT_EQ(on_a.status, 202) << on_a.body;
        ASSERT_EQ(on_b.status, 202) << on_b.body;
        EXPECT_EQ(on_a.header("X-Execution-Id"), on_b.header("X-Execution-Id")) << key;
        ids.push_back(on_a.header("X-Execution-Id"));
    }
    const auto done = test_support::wait_for_outcomes(observer(), ids, 30s);
    ASSERT_EQ(done.size(), ids.size()) << w->log();
    for (const auto& [done_id, rec] : done) {
        EXPECT_EQ(rec.state, store::execution_state::succeeded) << done_id << ": " << rec.error;
    }
    // Nothing else ran: once the work is done and node a has followed every outcome, its
    // history (the whole cluster's) has exactly these executions succeeded.
    const auto succeeded_on_a = [&] {
        const auto res =
            test::http_request(a->port(), "GET", "/_admin/executions?state=succeeded&limit=100");
        return boost::json::parse(res.body).at("executions").as_array().size();
    };
    ASSERT_TRUE(test::eventually(
        [&] {
            const auto work = observer().consumer("FERRY_RUNS", "ferry-executors");
            const auto history = observer().consumer("FERRY_RECORDS", "ferry-history-a");
            return work && work->pending == 0 && work->ack_pending == 0 && history &&
                   history->pending == 0 && history->ack_pending == 0;
        },
        30s));
    EXPECT_EQ(succeeded_on_a(), ids.size());
    // A node that lost a race cancelled its own execution (kept in its history, not run).
    for (const auto* n : {a.get(), b.get()}) {
        const auto res =
            test::http_request(n->port(), "GET", "/_admin/executions?state=cancelled&limit=100");
        const auto listed = boost::json::parse(res.body);
        for (const auto& e : listed.at("executions").as_array()) {
            const std::string error(e.at("error").as_string());
            EXPECT_NE(error.find("claimed first on another node"), std::string::npos) << error;
        }
    }
}

// `ferry nodes` on any node lists every node and worker of the cluster; a worker killed -9
// turns silent, a node stopped cleanly leaves the list.
TEST_F(ClusterNode, FerryNodesListsTheClusterAndWhoFellSilent) {
    auto a = node("a");
    auto b = node("b");
    auto w = worker("w");
    const auto members = [&](std::uint16_t port) {
        std::map<std::string, std::string> state;  // "kind/name" -> state
        const auto res = test::http_request(port, "GET", "/_admin/nodes");
        if (res.status != 200) return state;
        const auto listed = boost::json::parse(res.body);
        for (const auto& m : listed.at("nodes").as_array()) {
            state[std::string(m.at("kind").as_string()) + "/" +
                  std::string(m.at("name").as_string())] = m.at("state").as_string();
        }
        return state;
    };
    const auto worker_state = [&](const std::map<std::string, std::string>& m) {
        for (const auto& [key, state] : m) {
            if (key.starts_with("worker/")) return state;
        }
        return std::string("absent");
    };
    ASSERT_TRUE(test::eventually(
        [&] {
            const auto m = members(b->port());
            return m.size() == 3 && m.contains("node/a") && m.contains("node/b") &&
                   worker_state(m) == "up";
        },
        10s))
        << test::http_request(b->port(), "GET", "/_admin/nodes").body;
    const auto table =
        test::ferry_command("nodes --server http://127.0.0.1:" + std::to_string(a->port()));
    ASSERT_TRUE(table.has_value());
    EXPECT_EQ(table->rfind("NAME ", 0), 0u) << *table;
    EXPECT_NE(table->find("\na "), std::string::npos) << *table;
    EXPECT_NE(table->find(" worker "), std::string::npos) << *table;

    // /metrics on any node counts the whole cluster.
    EXPECT_TRUE(test::eventually(
        [&] {
            const auto metrics = test::http_request(a->port(), "GET", "/metrics").body;
            return metrics.find("ferry_cluster_members{kind=\"node\",state=\"up\"} 2") !=
                       std::string::npos &&
                   metrics.find("ferry_cluster_members{kind=\"worker\",state=\"up\"} 1") !=
                       std::string::npos &&
                   metrics.find("ferry_cluster_executions_queued 0") != std::string::npos;
        },
        10s, 100ms))
        << test::http_request(a->port(), "GET", "/metrics").body;

    w->kill9();
    EXPECT_TRUE(
        test::eventually([&] { return worker_state(members(a->port())) == "silent"; }, 15s, 200ms));
    b->terminate();
    EXPECT_TRUE(
        test::eventually([&] { return !members(a->port()).contains("node/b"); }, 10s, 100ms));
    // Embedded mode has no cluster to list.
    EXPECT_EQ(test::http_request(
                  test::server_process(processes(), (dir_.path() / "alone").string()).port(), "GET",
                  "/_admin/nodes")
                  .status,
              404);
}

// An ingress node killed (-9) under load and started again on its store: every post it or
// the other node answered 202 runs once, and either node's history shows each.
TEST_F(ClusterNode, AnIngressNodeKilledUnderLoadLosesNothing) {
    auto a = node("a");
    auto b = node("b");
    auto w = worker("w");
    order_load load({a->port(), b->port()});
    ASSERT_TRUE(load.goes_on(200));
    a->kill9();
    ASSERT_TRUE(load.goes_on(100));
    a = node("a");  // publishes its outbox again first
    const auto ids = load.stop();
    expect_all_succeeded(observer(), ids, a->log() + w->log());
    for (std::size_t i = 0; i < ids.size(); i += std::max<std::size_t>(1, ids.size() / 20)) {
        for (const auto* n : {a.get(), b.get()}) {
            const auto seen = test::wait_finished(n->port(), ids[i], 30s);
            EXPECT_EQ(seen.at("state").as_string(), "succeeded") << ids[i];
        }
    }
}

// A worker killed (-9) while it holds executions: the cluster gives them to another worker
// once its lease runs out (2 s here), and every post answered 202 runs to its one outcome.
TEST_F(ClusterNode, AWorkerKilledMidExecutionLosesNothing) {
    // Each order waits 50 ms on a partner: a worker always holds some when it dies.
    test::local_http_server partner([](const test::seen_request&) {
        return test::canned_reply(200, "{}", {{"Content-Type", "application/json"}}, 50);
    });
    dir_.write("processes/orders.yaml",
               "name: orders\n"
               "listen: {type: create, object: Order, input: single_json, output: none}\n"
               "steps:\n"
               "  - http_call: {method: POST, url: 'http://127.0.0.1:" +
                   std::to_string(partner.port()) + "/ship', timeout_ms: 10000}\n");
    const std::vector<std::string> short_leases = {"--lease-timeout-ms", "2000"};
    // The first to open the work stream's consumer sets its lease (ack wait).
    auto w1 = test::server_process::cluster_worker(url(), processes(),
                                                   (dir_.path() / "w1").string(), short_leases);
    auto w2 = test::server_process::cluster_worker(url(), processes(),
                                                   (dir_.path() / "w2").string(), short_leases);
    auto a = node("a");
    order_load load({a->port()});
    ASSERT_TRUE(load.goes_on(300));
    w1->kill9();
    ASSERT_TRUE(load.goes_on(200));
    const auto ids = load.stop();
    expect_all_succeeded(observer(), ids, a->log() + w2->log());
    std::size_t again = 0;  // run a second time, after the dead worker's lease ran out
    for (const auto& [id, rec] : test_support::wait_for_outcomes(observer(), ids, 10s)) {
        again += rec.attempts > 1 ? 1 : 0;
    }
    EXPECT_GT(again, 0u);
}

// The fsync gap: the cluster loses its unflushed tail (its store put back as it was before a
// batch of posts), every process stops and starts again: the outbox brings each acknowledged
// post back, and what had already run does not run again.
TEST_F(ClusterNode, AfterTheClusterLostItsTailEveryPostRunsOnce) {
    auto a = node("a");
    auto w = worker("w");
    const auto before = post(a->port(), 30);
    expect_all_succeeded(observer(), before, a->log() + w->log());
    nats_.reset();
    nats_servers_.kill9(0);
    nats_servers_.snapshot(0);
    nats_servers_.restart(0);
    const auto lost = post(a->port(), 30, 30);
    ASSERT_EQ(lost.size(), 30u);
    w->kill9();
    a->kill9();
    nats_servers_.kill9(0);
    nats_servers_.restore_snapshot(0);  // the 30 later posts are gone from the cluster
    nats_servers_.restart(0);
    a = node("a");
    w = worker("w");
    auto ids = before;
    ids.insert(ids.end(), lost.begin(), lost.end());
    expect_all_succeeded(observer(), ids, a->log() + w->log());
    // The worker started afresh ran the 30 lost posts and nothing else.
    const auto worker_succeeded = [&]() -> std::int64_t {
        const auto res = test::http_request(a->port(), "GET", "/_admin/nodes");
        if (res.status != 200) return -1;
        const auto listed = boost::json::parse(res.body);
        for (const auto& m : listed.at("nodes").as_array()) {
            const std::string name(m.at("name").as_string());
            if (name.ends_with(":" + std::to_string(w->pid()))) {
                return m.at("succeeded").to_number<std::int64_t>();
            }
        }
        return -1;
    };
    EXPECT_TRUE(test::eventually([&] { return worker_succeeded() == 30; }, 10s, 100ms))
        << worker_succeeded();
    std::this_thread::sleep_for(2500ms);  // one more report: nothing else ran meanwhile
    EXPECT_EQ(worker_succeeded(), 30);
}

// A long list reply run by a worker is paged from any node: the later pages are kept in the
// cluster, and each node serves them.
TEST_F(ClusterNode, TheLaterPagesOfAReplyAreServedByEveryNode) {
    dir_.write("processes/items.yaml", R"(name: items
listen: {type: query, object: Items, input: multiple_json, output: multiple_json}
steps:
  - return: {}
)");
    auto a = node("a");
    auto b = node("b");
    auto w = worker("w");
    std::string body = "[";
    for (int i = 0; i < 250; ++i) body += (i ? "," : "") + std::to_string(i);
    body += "]";
    const auto next_link = [](const test::http_reply& res) -> std::string {
        const auto link = res.header("Link");
        return link.empty() ? "" : link.substr(1, link.find('>') - 1);
    };
    const auto first = test::http_request(a->port(), "POST", "/ws/simple/queryItems", body,
                                          {{"Content-Type", "application/json"}});
    ASSERT_EQ(first.status, 200) << first.body << w->log();
    std::vector<std::int64_t> seen;
    const auto add = [&](const std::string& page) {
        const auto items = boost::json::parse(page);
        for (const auto& v : items.as_array()) seen.push_back(v.as_int64());
    };
    add(first.body);
    auto link = next_link(first);
    for (const auto* n : {b.get(), a.get()}) {  // page 2 from the other node, page 3 from a
        ASSERT_FALSE(link.empty());
        const auto page = test::http_request(n->port(), "GET", link);
        ASSERT_EQ(page.status, 200) << page.body;
        add(page.body);
        link = next_link(page);
    }
    EXPECT_TRUE(link.empty()) << link;
    ASSERT_EQ(seen.size(), 250u);
    for (int i = 0; i < 250; ++i) EXPECT_EQ(seen[i], i);
    // The reply as sent is at the status link on either node.
    const auto id = first.header("X-Execution-Id");
    const auto result =
        test::http_request(b->port(), "GET", "/_admin/executions/" + id + "/result");
    EXPECT_EQ(result.status, 200) << result.body;
}

// With the cluster gone, a post is refused with 503 and Retry-After (never a 202 the cluster
// did not acknowledge); once the cluster is back, the node publishes what it stored meanwhile.
TEST_F(ClusterNode, WithoutTheClusterPostsAreRefusedAndLaterPublished) {
    auto a = node("a");
    nats_servers_.kill9(0);
    const auto refused =
        test::http_request(a->port(), "POST", "/ws/simple/createOrder", "{\"order\": 1}",
                           {{"Content-Type", "application/json"}});
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(refused.header("Retry-After"), "1");
    EXPECT_NE(refused.body.find("cluster_unavailable"), std::string::npos) << refused.body;
    // Stored on the node all the same (its outbox): found in its history.
    const auto listed = test::http_request(a->port(), "GET", "/_admin/executions?limit=10");
    ASSERT_EQ(listed.status, 200) << listed.body;
    const auto executions = boost::json::parse(listed.body).as_object().at("executions").as_array();
    ASSERT_EQ(executions.size(), 1u) << listed.body;
    const std::string id(executions.at(0).as_object().at("id").as_string());
    nats_servers_.restart(0);
    auto w = worker("w");
    const auto done = test_support::wait_for_outcomes(observer(), {id}, 30s);
    ASSERT_EQ(done.size(), 1u) << a->log() << w->log();
    EXPECT_EQ(done.at(id).state, store::execution_state::succeeded) << done.at(id).error;
}

// The fsync gap: the cluster loses what it held (its store wiped while stopped), the node is
// killed (-9) and started again: its outbox brings every acknowledged post back, and each
// runs once.
TEST_F(ClusterNode, TheOutboxRestoresWhatTheClusterLost) {
    auto a = node("a");
    const auto ids = post(a->port(), 30);
    ASSERT_EQ(ids.size(), 30u);
    nats_servers_.kill9(0);
    nats_servers_.wipe(0);
    nats_servers_.restart(0);
    a->kill9();
    a = node("a");
    auto w = worker("w");
    const auto done = test_support::wait_for_outcomes(observer(), ids, 30s);
    ASSERT_EQ(done.size(), ids.size()) << a->log() << w->log();
    for (const auto& [id, rec] : done) {
        EXPECT_EQ(rec.state, store::execution_state::succeeded) << id << ": " << rec.error;
    }
}

// Under posts spread over two ingress nodes, the server leading the work stream of a
// three-server cluster (R3) is killed (-9). Posts may be refused (503) while the cluster
// elects a new leader, but every post answered 202 runs and is recorded exactly once.
/// Three nats-servers (R3 streams), two ingress nodes with an executor each, and a worker.
struct three_server_cluster {
    three_server_cluster() {
        dir.write("processes/orders.yaml", orders_process());
        for (const auto& u : servers.urls()) urls += (urls.empty() ? "" : ",") + u;
        const auto processes = (dir.path() / "processes").string();
        for (const std::string name : {"a", "b"}) {
            nodes.push_back(std::make_unique<test::server_process>(
                processes, (dir.path() / name).string(),
                std::vector<std::string>{"--cluster", urls, "--node", name, "--executors", "1"}));
        }
        worker = test::server_process::cluster_worker(urls, processes, (dir.path() / "w").string());
        nats::connection_settings s;
        s.urls = servers.urls();
        observer = nats::connection::open(s).value();
    }
    std::vector<std::uint16_t> ports() const { return {nodes[0]->port(), nodes[1]->port()}; }
    /// The server leading the work stream.
    std::size_t runs_leader() {
        const auto state = observer->stream("FERRY_RUNS");
        EXPECT_TRUE(state && !state->leader.empty());
        return state && !state->leader.empty() ? servers.index_of(state->leader) : 0;
    }

    test::nats_cluster servers;
    test::temp_dir dir;
    std::string urls;
    std::vector<std::unique_ptr<test::server_process>> nodes;
    std::unique_ptr<test::server_process> worker;
    std::unique_ptr<nats::connection> observer;
};

// Under posts spread over two ingress nodes, the server leading the work stream of a
// three-server cluster (R3) is killed (-9). Posts may be refused (503) while the cluster
// elects a new leader, but every post answered 202 runs and is recorded exactly once.
TEST(ClusterNodeOnACluster, EveryAcknowledgedPostRunsOnceWhenTheStreamLeaderDies) {
    three_server_cluster c;
    order_load load(c.ports());
    ASSERT_TRUE(load.goes_on(200));
    c.servers.kill9(c.runs_leader());
    // Posting goes on through the election, until more were acknowledged after it.
    EXPECT_TRUE(load.goes_on(200)) << "posts were not acknowledged again after the election";
    const auto ids = load.stop();
    expect_all_succeeded(*c.observer, ids, c.nodes[0]->log() + c.worker->log());
    std::printf("%zu posts acknowledged, %d refused during the election\n", ids.size(),
                load.refused());
}

// The server leading the work stream hangs (SIGSTOP) for 20 s under load, then comes back:
// the clients connected to it move to the others, and every post answered 202 runs once.
TEST(ClusterNodeOnACluster, EveryAcknowledgedPostRunsOnceWhenAServerHangsFor20s) {
    three_server_cluster c;
    order_load load(c.ports());
    ASSERT_TRUE(load.goes_on(200));
    const auto hung = c.runs_leader();
    c.servers.pause(hung);
    const auto paused_at = std::chrono::steady_clock::now();
    // Posts are acknowledged again while it still hangs.
    EXPECT_TRUE(load.goes_on(200, 19s)) << "posts were not acknowledged while a server hung";
    std::this_thread::sleep_until(paused_at + 20s);
    c.servers.resume(hung);
    EXPECT_TRUE(load.goes_on(200));
    const auto ids = load.stop();
    expect_all_succeeded(*c.observer, ids, c.nodes[0]->log() + c.worker->log());
    std::printf("%zu posts acknowledged, %d refused while the server hung\n", ids.size(),
                load.refused());
}

}  // namespace
}  // namespace ferry::engine::cluster
