#pragma once

// What the cluster node tests share: the processes they post to, a fixture of one nats-server
// with ingress nodes and workers started on demand, and a load of posts over several nodes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ferry/nats/connection.hpp"
#include "nats/recorded_outcomes.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/nats_cluster.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine::cluster::test_support {

using namespace std::chrono_literals;

/// Stores each posted order as the answer of an execution (async: output none).
inline std::string orders_process() {
    return R"(name: orders
listen: {type: create, object: Order, input: single_json, output: none}
steps:
  - message: {template: "'{'\"stored\": {1}'}'", variables: [current_data]}
)";
}

/// Answers the caller with what it was sent (sync: output single_json).
inline std::string quote_process() {
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
inline void expect_all_succeeded(nats::connection& observer, const std::vector<std::string>& ids,
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

    /// An ingress node; by default without executors of its own (`options` replace that).
    std::unique_ptr<test::server_process> node(const std::string& name,
                                               std::vector<std::string> options = {"--executors",
                                                                                   "0"}) {
        std::vector<std::string> args{"--cluster", url(), "--node", name};
        args.insert(args.end(), options.begin(), options.end());
        return std::make_unique<test::server_process>(processes(), (dir_.path() / name).string(),
                                                      args);
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

}  // namespace ferry::engine::cluster::test_support
