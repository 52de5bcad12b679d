// The cluster under faults: ingress nodes, workers and NATS servers killed, hung, or their
// stores put back; every post answered 202 runs once. Real nats-server, real ferry binaries.
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
using test_support::expect_all_succeeded;
using test_support::order_load;
using test_support::orders_process;

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

// The fsync gap again, while the ingress node keeps running: the cluster comes back without
// its tail (its store put back as it was before a batch of posts), the node notices that the
// work stream lost messages and publishes its outbox again, and every acknowledged post runs.
TEST_F(ClusterNode, ANodeThatKeepsRunningBringsBackWhatTheClusterLost) {
    auto a = node("a");
    const auto before = post(a->port(), 10);
    nats_servers_.kill9(0);
    nats_servers_.snapshot(0);
    nats_servers_.restart(0);
    const auto lost = post(a->port(), 30, 10);
    ASSERT_EQ(lost.size(), 30u);
    nats_servers_.kill9(0);
    nats_servers_.restore_snapshot(0);  // the 30 later posts are gone from the cluster
    nats_servers_.restart(0);
    auto w = worker("w");
    auto ids = before;
    ids.insert(ids.end(), lost.begin(), lost.end());
    expect_all_succeeded(observer(), ids, a->log() + w->log());
    EXPECT_NE(a->log().find("the work stream lost messages"), std::string::npos);
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
