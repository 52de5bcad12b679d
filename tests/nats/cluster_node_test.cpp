// `ferry serve --cluster`: ingress nodes and workers as one cluster: posts run elsewhere, sync
// replies, deployments, idempotency keys, pages and the member list across nodes.
// Real nats-server, real ferry binaries.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "ferry/nats/connection.hpp"
#include "nats/cluster_node_fixture.hpp"
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
using test_support::ClusterNode;
using test_support::quote_process;

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

// A request document too large to ride with the outcome (over 256 KB) still reaches every
// node's history, whole, though the post went to one node and a worker ran it.
TEST_F(ClusterNode, ALargeRequestDocumentShowsOnEveryNode) {
    auto a = node("a");
    auto b = node("b");
    auto w = worker("w");
    const std::string body = "{\"order\": \"" + std::string(400 * 1024, 'x') + "\"}";
    const auto posted = test::http_request(a->port(), "POST", "/ws/simple/createOrder", body,
                                           {{"Content-Type", "application/json"}});
    ASSERT_EQ(posted.status, 202) << posted.body;
    const auto id = posted.header("X-Execution-Id");
    ASSERT_TRUE(test::eventually(
        [&] {
            const auto seen = test::http_request(b->port(), "GET", "/_admin/executions/" + id);
            return seen.status == 200 && boost::json::parse(seen.body).at("state") == "succeeded";
        },
        30s))
        << w->log();
    const auto doc = test::http_request(b->port(), "GET",
                                        "/_admin/executions/" + id + "/documents/" + id + "-0");
    ASSERT_EQ(doc.status, 200) << doc.body.substr(0, 200);
    EXPECT_EQ(boost::json::parse(doc.body).at("data").as_string(), body);
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

// An API deployed on one node is served by every node; a worker elsewhere runs its calls and
// answers as the route says (the route's output override travels with the execution).
TEST_F(ClusterNode, AnApiDeployedOnOneNodeIsServedByEveryNode) {
    auto a = node("a");
    auto b = node("b");
    auto w = worker("w");
    const auto deployed = test::http_request(a->port(), "POST", "/_admin/apis", R"(api: quotes
base_path: quotes/v1
routes:
  - {method: POST, path: quote, operation: getQuote}
  - {method: POST, path: quote/text, operation: getQuote, output: single_data,
     content_type: text/plain}
)",
                                             {{"Content-Type", "application/yaml"}});
    ASSERT_EQ(deployed.status, 201) << deployed.body;
    const auto quote = [&](const std::string& path) {
        return test::http_request(b->port(), "POST", "/ws/rest/quotes/v1/" + path, "{\"sku\": 7}",
                                  {{"Content-Type", "application/json"}});
    };
    ASSERT_TRUE(test::eventually([&] { return quote("quote").status == 200; }, 5s, 10ms))
        << quote("quote").body << b->log();
    const auto text = quote("quote/text");
    EXPECT_EQ(text.status, 200) << text.body << w->log();
    EXPECT_EQ(text.headers.at("Content-Type"), "text/plain");
    const auto listed = test::http_request(b->port(), "GET", "/_admin/apis");
    EXPECT_NE(listed.body.find("\"base_path\":\"quotes/v1\""), std::string::npos) << listed.body;
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

    // The console's Runtimes page on either node lists every member, without registration.
    const auto runtimes = test::http_request(a->port(), "GET", "/_console/runtimes");
    ASSERT_EQ(runtimes.status, 200);
    for (const auto* member : {">a<", ">b<", ">worker<", "state-up"}) {
        EXPECT_NE(runtimes.body.find(member), std::string::npos) << member;
    }

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

}  // namespace
}  // namespace ferry::engine::cluster
