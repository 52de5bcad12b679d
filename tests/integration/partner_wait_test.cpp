// Executions that wait hold no thread (issue 24): executions whose http_call partner has not
// answered yet are suspended, not parked on executor threads. The partner stub holds every
// call until the test releases it, so the executions can only finish if they were all waiting
// at once, on the default two executor threads.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/local_http_server.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {

using namespace std::chrono_literals;

std::size_t thread_count(pid_t pid) {
    std::size_t n = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
        (void)entry;
        ++n;
    }
    return n;
}

std::string calling_process(std::uint16_t partner_port, const std::string& extra = "") {
    return "name: callPartner\n"
           "listen: {type: create, object: Call, input: single_data, output: none}\n"
           "steps:\n"
           "  - http_call: {method: POST, url: 'http://127.0.0.1:" +
           std::to_string(partner_port) + "/partner', timeout_ms: 120000" + extra + "}\n";
}

std::string post_call(test::http_session& session, int i) {
    const auto res =
        session.request("POST", "/ws/simple/createCall", "{\"call\":" + std::to_string(i) + "}");
    if (res.status != 202) return "";
    return std::string(boost::json::parse(res.body).at("execution_id").as_string());
}

class PartnerWaitTest : public ::testing::Test {
protected:
    test::temp_dir processes_;
    test::temp_dir data_;
};

// 1,000 executions wait at once with default settings (two executor threads): 64 of them on
// calls the partner holds (the default bound per partner), the others for their turn. The
// server's thread count stays at its idle value meanwhile, and all of them finish once the
// partner answers.
TEST_F(PartnerWaitTest, AThousandExecutionsWaitAtOnceWithoutThreads) {
    test::local_http_server partner([](const test::seen_request& r) {
        return test::canned_reply{200, "ok " + r.body, {}, 0};
    });
    processes_.write("call.yaml", calling_process(partner.port()));
    test::server_process server(processes_.str(), data_.str());
    test::http_session session(server.port());

    // One execution first, so that every thread the path starts on first use exists.
    const auto warm_up = post_call(session, -1);
    ASSERT_FALSE(warm_up.empty());
    EXPECT_EQ(test::wait_finished(server.port(), warm_up).at("state").as_string(), "succeeded");
    const auto idle_threads = thread_count(server.pid());

    constexpr int waiting = 1000;
    constexpr std::size_t bound = 64;  // http_call's default max_connections
    partner.hold(180s);
    std::vector<std::string> executions;
    for (int i = 0; i < waiting; ++i) {
        auto id = post_call(session, i);
        ASSERT_FALSE(id.empty()) << "post " << i;
        executions.push_back(std::move(id));
    }
    std::string in_flight;
    ASSERT_TRUE(test::eventually(
        [&] {
            in_flight = test::metric(server.port(), "ferry_executions_in_flight");
            return in_flight == std::to_string(waiting) && partner.request_count() == bound + 1;
        },
        120s, 50ms))
        << in_flight << " executions in flight, " << partner.request_count() - 1
        << " calls at the partner\n"
        << server.log();
    EXPECT_EQ(partner.most_at_once(), bound);
    EXPECT_EQ(thread_count(server.pid()), idle_threads)
        << "threads with " << waiting << " executions waiting, against " << idle_threads << " idle";
    // Waiting vs running: every one of them waits (on the partner, or for a place in its bound).
    EXPECT_EQ(test::metric(server.port(), "ferry_executions_waiting"), std::to_string(waiting));
    EXPECT_EQ(test::metric(server.port(), "ferry_executions_computing"), "0");

    partner.release();
    for (const auto& id : executions) {
        const auto done = test::wait_finished(server.port(), id, 120s);
        ASSERT_EQ(done.at("state").as_string(), "succeeded") << id << ": " << done;
    }
    EXPECT_EQ(partner.most_at_once(), bound) << "the bound held after the release too";
    EXPECT_EQ(test::settled_metric(server.port(), "ferry_executions_waiting", 0), "0");
    EXPECT_LE(partner.connections(), 2 * bound) << "connections are kept and reused";
}

// A stop does not wait for a partner that does not answer: executions still waiting after the
// stop grace are left queued (their calls abandoned, places in the partner's bound withdrawn)
// and run again after the restart, with the interrupted attempt counted (what local executors
// run is noted, so that an execution that keeps taking the server down is given up).
TEST_F(PartnerWaitTest, AStopLeavesWaitingExecutionsToRunAfterTheRestart) {
    test::local_http_server partner([](const test::seen_request&) {
        return test::canned_reply{200, "ok"};
    });
    processes_.write("call.yaml", calling_process(partner.port(), ", max_connections: 8"));
    constexpr int waiting = 40;
    std::vector<std::string> executions;
    partner.hold(180s);
    {
        test::server_process server(processes_.str(), data_.str());
        test::http_session session(server.port());
        for (int i = 0; i < waiting; ++i) {
            auto id = post_call(session, i);
            ASSERT_FALSE(id.empty());
            executions.push_back(std::move(id));
        }
        ASSERT_TRUE(test::eventually(
            [&] {
                return test::metric(server.port(), "ferry_executions_in_flight") ==
                       std::to_string(waiting);
            },
            60s, 20ms));
        EXPECT_EQ(server.stop(), 0) << server.log();
        EXPECT_NE(server.log().find("stopping with executions still waiting"), std::string::npos)
            << server.log();
    }
    partner.release();
    test::server_process server(processes_.str(), data_.str());
    for (const auto& id : executions) {
        const auto done = test::wait_finished(server.port(), id, 60s);
        ASSERT_EQ(done.at("state").as_string(), "succeeded") << id << ": " << done;
        EXPECT_EQ(done.at("attempts").as_int64(), 2) << id << ": " << done;
    }
    EXPECT_NE(server.log().find("executions were interrupted; running them again executions=" +
                                std::to_string(waiting)),
              std::string::npos)
        << server.log();
}

// A pause between attempts holds no thread either: executions whose partner fails first wait
// out their backoff while another execution runs to its end meanwhile.
TEST_F(PartnerWaitTest, ABackoffPauseLetsOtherExecutionsRun) {
    std::atomic<int> calls{0};
    test::local_http_server partner([&](const test::seen_request& r) {
        // Every "slow" call fails its first attempt; the retry comes after a 3 s pause.
        if (r.body.find("slow") != std::string::npos && calls.fetch_add(1) < 2) {
            return test::canned_reply{503, "busy", {}, 0};
        }
        return test::canned_reply{200, "ok", {}, 0};
    });
    processes_.write("call.yaml",
                     calling_process(partner.port(), ", retries: 1, backoff_ms: 3000"));
    test::server_process server(processes_.str(), data_.str(), {"--executors", "1"});
    test::http_session session(server.port());

    std::vector<std::string> slow;
    for (int i = 0; i < 2; ++i) {
        const auto res = session.request("POST", "/ws/simple/createCall", "{\"slow\":true}");
        ASSERT_EQ(res.status, 202) << res.body;
        slow.emplace_back(boost::json::parse(res.body).at("execution_id").as_string());
    }
    ASSERT_TRUE(test::eventually([&] { return calls.load() >= 2; }, 30s, 20ms));
    const auto quick = post_call(session, 1);
    ASSERT_FALSE(quick.empty());
    const auto quick_done = test::wait_finished(server.port(), quick);
    EXPECT_EQ(quick_done.at("state").as_string(), "succeeded");
    // One executor thread: had the pauses held it, the quick one would have finished after them.
    for (const auto& id : slow) {
        const auto done = test::wait_finished(server.port(), id);
        EXPECT_EQ(done.at("state").as_string(), "succeeded") << done;
        EXPECT_LT(quick_done.at("finished_at").as_string(), done.at("finished_at").as_string());
    }
}

}  // namespace
}  // namespace ferry
