// The cluster's shared deployments (cluster/cluster_control.hpp) on a real nats-server: a
// change made through one process's control reaches every other's copy; a process that joins
// takes the bucket's entries and contributes what only it had.
#include "cluster/cluster_control.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "ferry/threads/service_thread.hpp"
#include "support/eventually.hpp"
#include "support/nats_cluster.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;

std::optional<std::string> value_of(const control_entries& entries, const std::string& key) {
    for (auto& [k, v] : entries.list(key).value()) {
        if (k == key) return v;
    }
    return std::nullopt;
}

/// One process of the cluster: its connection, its copy, its control following the bucket.
struct member {
    explicit member(const std::vector<std::string>& urls) {
        nats::connection_settings s;
        s.urls = urls;
        nats = nats::connection::open(s).value();
        control = cluster_control::open(*nats, jetstream_settings{}, copy).value();
    }
    void follow() {
        follower.start("test-control", [this](const std::stop_token& stop) {
            control->follow(stop, [this] { changes.fetch_add(1); });
        });
    }
    ~member() { follower.stop(); }

    std::unique_ptr<nats::connection> nats;
    memory_control_entries copy;
    std::unique_ptr<cluster_control> control;
    std::atomic<int> changes{0};
    threads::service_thread follower;
};

TEST(ClusterControlKeys, EveryControlKeyHasABucketKeyAndBack) {
    for (const std::string key :
         {"process/orders/0000000002", "active/Order Intake (EU).v2", "paused/ä/ö", "x=y"}) {
        const auto in_bucket = bucket_key(key);
        EXPECT_EQ(in_bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789-_/="),
                  std::string::npos)
            << in_bucket;
        EXPECT_EQ(control_key(in_bucket), key);
    }
    EXPECT_EQ(control_key("active/x=4"), std::nullopt);
    EXPECT_EQ(control_key("active/x=zz"), std::nullopt);
    EXPECT_TRUE(shared_control_key("paused/orders"));
    EXPECT_FALSE(shared_control_key("replay/job-1"));
}

TEST(ClusterControl, AChangeOnOneProcessReachesTheOthersCopy) {
    test::nats_cluster server(1);
    member a(server.urls());
    member b(server.urls());
    a.follow();
    b.follow();

    // A process's own change comes back to it from the bucket and is not news there.
    const std::vector<control_entries::change> own = {{"active/billing", "1"}};
    ASSERT_TRUE(b.control->put(own));
    ASSERT_TRUE(test::eventually([&] { return a.changes.load() == 1; }, 5s));
    EXPECT_EQ(value_of(a.copy, "active/billing"), "1");
    std::this_thread::sleep_for(200ms);  // b's echo arrived long before a's copy
    EXPECT_EQ(b.changes.load(), 0);

    const std::vector<control_entries::change> deploy = {
        {"process/orders/0000000002", "1\norders.yaml\nname: orders"}, {"active/orders", "2"}};
    ASSERT_TRUE(a.control->put(deploy));
    EXPECT_EQ(value_of(a.copy, "active/orders"), "2");  // the writer's own copy at once
    ASSERT_TRUE(test::eventually([&] { return value_of(b.copy, "active/orders") == "2"; }, 5s));
    EXPECT_EQ(value_of(b.copy, "process/orders/0000000002"), "1\norders.yaml\nname: orders");
    EXPECT_TRUE(test::eventually([&] { return b.changes.load() >= 1; }, 5s));

    const std::vector<control_entries::change> resume = {{"paused/orders", std::nullopt}};
    const std::vector<control_entries::change> pause = {{"paused/orders", "17"}};
    ASSERT_TRUE(a.control->put(pause));
    ASSERT_TRUE(test::eventually([&] { return value_of(b.copy, "paused/orders") == "17"; }, 5s));
    ASSERT_TRUE(a.control->put(resume));
    ASSERT_TRUE(
        test::eventually([&] { return !value_of(b.copy, "paused/orders").has_value(); }, 5s));
}

TEST(ClusterControl, AJoiningProcessTakesTheBucketAndGivesWhatOnlyItHad) {
    test::nats_cluster server(1);
    member first(server.urls());
    const std::vector<control_entries::change> cluster_state = {
        {"active/orders", "3"}, {"paused/orders", "5"}, {"active/gone", "1"}};
    ASSERT_TRUE(first.control->put(cluster_state));
    const std::vector<control_entries::change> erase = {{"active/gone", std::nullopt}};
    ASSERT_TRUE(first.control->put(erase));

    // A process that served alone before: its own entries, some the cluster has otherwise.
    nats::connection_settings s;
    s.urls = server.urls();
    auto nats = nats::connection::open(s).value();
    memory_control_entries copy;
    const std::vector<control_entries::change> alone = {{"active/orders", "1"},
                                                        {"active/gone", "1"},
                                                        {"active/billing", "4"},
                                                        {"replay/job-1", "not shared"}};
    ASSERT_TRUE(copy.put(alone));
    auto joined = cluster_control::open(*nats, jetstream_settings{}, copy).value();

    EXPECT_EQ(value_of(copy, "active/orders"), "3");  // the bucket wins
    EXPECT_EQ(value_of(copy, "paused/orders"), "5");
    EXPECT_EQ(value_of(copy, "active/gone"), std::nullopt);  // erased in the cluster
    EXPECT_EQ(value_of(copy, "active/billing"), "4");        // only it had it: kept, and given
    EXPECT_EQ(value_of(copy, "replay/job-1"), "not shared");
    auto bucket = nats->bucket({.name = jetstream_settings{}.control_bucket}).value();
    const auto billing = bucket->get("active/billing").value();
    ASSERT_TRUE(billing.has_value());
    EXPECT_EQ(billing->value, "4");
    EXPECT_FALSE(bucket->get("replay/job-1").value().has_value());
}

}  // namespace
}  // namespace ferry::engine::cluster
