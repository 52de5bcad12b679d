// Internal queues and replays of a cluster: a message nobody listens for waits in the cluster
// for a listener deployed on any node, dead letters are listed, resent and cleared on every
// node alike, and a bulk replay on one node runs in the cluster and shows on every node.
// Real nats-server, real ferry binaries.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "nats/cluster_node_fixture.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;
using test_support::ClusterNode;
namespace json = boost::json;

/// Sends every parcel posted (createParcel) to the internal queue "parcels".
const std::string sender =
    "name: sendParcel\nlisten: {type: create, object: Parcel, input: multiple_json, output: none}\n"
    "steps:\n  - id: out\n    queue_send: {queue: parcels}\n";

/// Listens on "parcels": refuses every parcel whose "ok" is not "yes", or (refuses = false, the
/// fix) none.
std::string shipper(int version, bool refuses) {
    return "name: shipParcel\nversion: " + std::to_string(version) +
           "\nlisten: {queue: parcels, input: multiple_json}\nsteps:\n" +
           (refuses ? "  - id: check\n    decision:\n      left: {element: ok}\n      op: '='\n"
                      "      right: {static: 'yes'}\n      then: [{id: done, stop: {}}]\n"
                      "      else: [{id: refuse, exception: {message: 'parcel refused'}}]\n"
                    : "  - id: done\n    stop: {}\n");
}

json::value get(std::uint16_t port, const std::string& target) {
    const auto r = test::http_request(port, "GET", target);
    if (r.status != 200) return json::value();
    return json::parse(r.body);
}

void post_parcel(std::uint16_t port, const std::string& body) {
    const auto r = test::http_request(port, "POST", "/ws/simple/createParcel", body,
                                      {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 202) << r.body;
}

/// The executions of `process` in the node's history.
json::array executions_of(std::uint16_t port, const std::string& process) {
    const auto listed = get(port, "/_admin/executions?limit=1000&process=" + process);
    return listed.is_object() ? listed.at("executions").as_array() : json::array();
}

std::size_t count_state(const json::array& list, const std::string& state) {
    std::size_t n = 0;
    for (const auto& e : list) n += e.at("state").as_string() == state ? 1 : 0;
    return n;
}

/// Messages parked for the queue, as the node's queue view counts them (-1: not listed).
std::int64_t parked(std::uint16_t port, const std::string& queue) {
    const auto listed = get(port, "/_admin/queues");
    if (!listed.is_object()) return -1;
    for (const auto& q : listed.at("queues").as_array()) {
        if (q.at("queue") == queue.c_str()) return q.at("parked").as_int64();
    }
    return -1;
}

json::array dead_letters(std::uint16_t port) {
    const auto listed = get(port, "/_admin/dead-letters");
    return listed.is_object() ? listed.at("dead_letters").as_array() : json::array();
}

/// The active version of `process` on the node (0: none).
std::int64_t active_version(std::uint16_t port, const std::string& process) {
    const auto listed = get(port, "/_admin/processes");
    if (!listed.is_object()) return 0;
    for (const auto& p : listed.at("processes").as_array()) {
        if (p.at("process") == process.c_str() && p.at("active").as_bool()) {
            return p.at("version").as_int64();
        }
    }
    return 0;
}

int deploy(std::uint16_t port, const std::string& yaml) {
    return test::http_request(port, "POST", "/_admin/processes", yaml,
                              {{"Content-Type", "application/yaml"}})
        .status;
}

// Sent where nobody listens, messages wait in the cluster, counted on every node; a listener
// deployed on the other node takes them all, each once, and what is sent later goes to it at
// once.
TEST_F(ClusterNode, AQueueMessageNobodyListensForWaitsInTheClusterForAListenerOnAnyNode) {
    dir_.write("processes/sendParcel.yaml", sender);
    auto a = node("a", {"--executors", "1"});
    auto b = node("b", {"--executors", "1"});
    for (int i = 0; i < 3; ++i)
        post_parcel(a->port(), R"([{"ok": "yes", "parcel": )" + std::to_string(i) + "}]");

    ASSERT_TRUE(test::eventually([&] { return parked(b->port(), "parcels") == 3; }, 20s))
        << "parked on b: " << parked(b->port(), "parcels") << "\n"
        << a->log();
    EXPECT_EQ(parked(a->port(), "parcels"), 3);
    EXPECT_EQ(count_state(executions_of(a->port(), "sendParcel"), "succeeded"), 3u);
    EXPECT_TRUE(executions_of(a->port(), "shipParcel").empty());

    ASSERT_EQ(deploy(b->port(), shipper(1, false)), 201);
    ASSERT_TRUE(test::eventually(
        [&] { return count_state(executions_of(a->port(), "shipParcel"), "succeeded") == 3; }, 20s))
        << a->log() << b->log();
    EXPECT_TRUE(test::eventually([&] { return parked(a->port(), "parcels") == 0; }, 10s));
    // Each message ran once, as sent: its sender is named, its delivery is the first.
    for (const auto& e : executions_of(a->port(), "shipParcel")) {
        EXPECT_EQ(e.at("queue").at("delivery").as_int64(), 1);
        EXPECT_FALSE(e.at("queue").at("sent_by").as_string().empty());
    }

    post_parcel(b->port(), R"([{"ok": "yes", "parcel": 9}])");
    EXPECT_TRUE(test::eventually(
        [&] { return count_state(executions_of(a->port(), "shipParcel"), "succeeded") == 4; },
        20s));
    EXPECT_EQ(executions_of(b->port(), "shipParcel").size(), 4u);
}

// A message whose every delivery failed is a dead letter on every node; resent from one node
// (after a fix) and cleared on the other, it is gone everywhere.
TEST_F(ClusterNode, DeadLettersAreTheClustersResentOrClearedOnAnyNode) {
    dir_.write("processes/sendParcel.yaml", sender);
    dir_.write("processes/shipParcel.yaml", shipper(1, true));
    auto a = node("a", {"--executors", "1", "--redelivery", "4000ms"});
    auto b = node("b", {"--executors", "1", "--redelivery", "4000ms"});
    post_parcel(a->port(), R"([{"ok": "no", "parcel": 1}])");
    post_parcel(a->port(), R"([{"ok": "no", "parcel": 2}])");
    // Their redeliveries wait in the cluster, counted on every node.
    EXPECT_TRUE(test::eventually(
        [&] {
            const auto queues = get(b->port(), "/_admin/queues");
            return queues.is_object() && queues.at("delayed_redeliveries").as_int64() == 2;
        },
        4s, 20ms));

    json::array letters;
    ASSERT_TRUE(test::eventually(
        [&] {
            letters = dead_letters(b->port());
            return letters.size() == 2;
        },
        30s))
        << a->log() << b->log();
    EXPECT_TRUE(test::eventually([&] { return dead_letters(a->port()).size() == 2; }, 10s));
    for (const auto& l : letters) {
        EXPECT_EQ(l.at("queue").as_string(), "parcels");
        EXPECT_EQ(l.at("deliveries").as_int64(), 2);  // the first and one redelivery
        EXPECT_EQ(l.at("error").as_string(), "step 'refuse': parcel refused");
    }
    const std::string resent(letters[0].at("id").as_string());
    // Four deliveries, each run once: a redelivery's wait is no attempt.
    const auto deliveries = executions_of(a->port(), "shipParcel");
    EXPECT_EQ(deliveries.size(), 4u);
    for (const auto& e : deliveries) EXPECT_EQ(e.at("attempts").as_int64(), 1) << e;

    // The fix, deployed on a; the resend on b runs it, and the letter is gone on a too.
    ASSERT_EQ(deploy(a->port(), shipper(2, false)), 201);
    ASSERT_TRUE(test::eventually([&] { return active_version(b->port(), "shipParcel") == 2; }, 5s));
    const auto resend =
        test::http_request(b->port(), "POST", "/_admin/dead-letters/" + resent + "/resend");
    ASSERT_EQ(resend.status, 202) << resend.body;
    EXPECT_TRUE(test::eventually(
        [&] {
            const auto left = dead_letters(a->port());
            return left.size() == 1 && left[0].at("id") != resent.c_str();
        },
        10s))
        << a->log();
    EXPECT_TRUE(test::eventually(
        [&] {
            for (const auto& e : executions_of(a->port(), "shipParcel")) {
                if (e.at("queue").at("resent_from") == resent.c_str()) {
                    return e.at("state").as_string() == "succeeded" &&
                           e.at("process_version").as_int64() == 2;
                }
            }
            return false;
        },
        20s));

    // Cleared on a: gone on b.
    const auto cleared =
        test::http_request(a->port(), "DELETE", "/_admin/dead-letters?queue=parcels");
    ASSERT_EQ(cleared.status, 200) << cleared.body;
    EXPECT_EQ(json::parse(cleared.body).at("cleared").as_int64(), 1);
    EXPECT_TRUE(test::eventually([&] { return dead_letters(b->port()).empty(); }, 10s)) << b->log();
    EXPECT_EQ(
        test::http_request(b->port(), "POST", "/_admin/dead-letters/" + resent + "/resend").status,
        404);
}

// A bulk replay started on one node queues its executions in the cluster (a worker elsewhere
// runs them) and every node's history shows them, linked to their originals; a dry run on the
// other node compares with what the cluster recorded; a single replay goes the same way.
TEST_F(ClusterNode, ABulkReplayOnOneNodeRunsInTheClusterAndShowsOnEveryNode) {
    auto a = node("a");
    auto b = node("b");
    auto w = worker("w");
    const auto ids = post(a->port(), 5);
    ASSERT_EQ(ids.size(), 5u);
    test_support::expect_all_succeeded(observer(), ids, w->log());
    ASSERT_TRUE(test::eventually(
        [&] { return count_state(executions_of(b->port(), "orders"), "succeeded") == 5; }, 10s));

    const auto wait_replay = [&](const std::string& location) {
        json::value p;
        const auto ended = test::eventually(
            [&] {
                p = get(b->port(), location);
                if (!p.is_object()) return false;
                const auto state = std::string(p.at("state").as_string());
                return state == "finished" || state == "failed" || state == "cancelled";
            },
            60s, 20ms);
        EXPECT_TRUE(ended);
        return p;
    };
    const auto dry =
        test::http_request(b->port(), "POST", "/_admin/replays?process=orders&dry_run=true");
    ASSERT_EQ(dry.status, 202) << dry.body;
    const auto dried = wait_replay(dry.header("Location"));
    EXPECT_EQ(dried.at("state").as_string(), "finished") << json::serialize(dried);
    EXPECT_EQ(dried.at("replayed").as_int64(), 5);
    EXPECT_EQ(dried.at("differing").as_int64(), 0) << json::serialize(dried);

    const auto started = test::http_request(b->port(), "POST", "/_admin/replays?process=orders");
    ASSERT_EQ(started.status, 202) << started.body;
    const auto done = wait_replay(started.header("Location"));
    EXPECT_EQ(done.at("state").as_string(), "finished") << json::serialize(done);
    EXPECT_EQ(done.at("replayed").as_int64(), 5);

    // Run by the worker (b runs nothing itself), recorded in the cluster, seen on a.
    ASSERT_TRUE(test::eventually(
        [&] { return count_state(executions_of(a->port(), "orders"), "succeeded") == 10; }, 30s))
        << b->log() << w->log();
    std::size_t replays = 0;
    for (const auto& e : executions_of(a->port(), "orders")) {
        if (!e.as_object().contains("replay_of") || e.at("replay_of").is_null()) continue;
        ++replays;
        const std::string original(e.at("replay_of").as_string());
        EXPECT_NE(std::find(ids.begin(), ids.end(), original), ids.end()) << original;
    }
    EXPECT_EQ(replays, 5u);

    // One execution replayed on b: queued in the cluster like a post, seen on a.
    const auto one =
        test::http_request(b->port(), "POST", "/_admin/executions/" + ids[0] + "/replay");
    ASSERT_EQ(one.status, 202) << one.body;
    const std::string again(json::parse(one.body).at("execution_id").as_string());
    EXPECT_TRUE(test::eventually(
        [&] {
            const auto seen = get(a->port(), "/_admin/executions/" + again);
            return seen.is_object() && seen.at("state") == "succeeded" &&
                   seen.at("replay_of") == ids[0].c_str();
        },
        30s))
        << w->log();
}

}  // namespace
}  // namespace ferry::engine::cluster
