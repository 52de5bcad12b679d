#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <random>
#include <thread>

#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/local_http_server.hpp"
#include "support/recording.hpp"
#include "support/server_process.hpp"

namespace ferry {
namespace asio = boost::asio;

// Acknowledged = answered 202. The crash rule: every acknowledged document is stored and
// executed (at least once) after kill -9 at any moment and a restart.
class Kill9Test : public ::testing::Test {
protected:
    void SetUp() override { processes_.write("record.yaml", test::recording_process); }

    // Posts from 32 concurrent clients until the server dies; returns the acked execution ids
    // and document ids.
    void load_until_killed(test::server_process& server, std::mt19937& random) {
        asio::io_context io;
        bool stop = false;
        for (int c = 0; c < 32; ++c) {
            asio::co_spawn(
                io,
                [&, c]() -> asio::awaitable<void> {
                    // One keep-alive connection per client, as real clients do.
                    test::async_http_session session(co_await asio::this_coro::executor,
                                                     server.port());
                    for (int i = 0; !stop; ++i) {
                        const auto body =
                            "[{\"c\":" + std::to_string(c) + "},{\"i\":" + std::to_string(i) + "}]";
                        const auto res =
                            co_await session.request("POST", "/ws/simple/createEvent", body);
                        if (res.status == 0) co_return;  // server gone
                        if (res.status != 202) continue;
                        const auto receipt = boost::json::parse(res.body).as_object();
                        executions_.emplace_back(receipt.at("execution_id").as_string());
                        for (const auto& id : receipt.at("documents").as_array()) {
                            acked_.emplace_back(id.as_string());
                        }
                    }
                },
                asio::detached);
        }
        const auto delay = std::uniform_int_distribution<int>(50, 700)(random);
        asio::steady_timer killer(io, std::chrono::milliseconds(delay));
        killer.async_wait([&](boost::system::error_code) {
            server.kill9();
            stop = true;
        });
        io.run();
    }

    test::temp_dir processes_;
    test::temp_dir data_;
    std::vector<std::string> acked_;
    std::vector<std::string> executions_;
};

// Several rounds of load, kill -9 at a random moment, restart: nothing acknowledged is lost.
TEST_F(Kill9Test, AcknowledgedDocumentsSurviveKillNine) {
    std::mt19937 random(std::random_device{}());
    constexpr int rounds = 5;
    for (int round = 0; round < rounds; ++round) {
        test::server_process server(processes_.str(), data_.str());
        const auto before = acked_.size();
        load_until_killed(server, random);
        EXPECT_GT(acked_.size(), before) << "round " << round << " acknowledged nothing";
    }
    test::server_process server(processes_.str(), data_.str());
    // Every acknowledged execution is stored...
    test::http_session session(server.port());
    for (const auto& id : executions_) {
        const auto res = session.request("GET", "/_admin/executions/" + id);
        ASSERT_EQ(res.status, 200) << id;
    }
    // ...and every acknowledged document gets executed.
    std::size_t missing = acked_.size();
    test::eventually(
        [&] {
            const auto seen = test::executed_documents(data_.path());
            missing = 0;
            for (const auto& id : acked_) missing += seen.contains(id) ? 0 : 1;
            return missing == 0;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(50));
    EXPECT_EQ(missing, 0u) << "of " << acked_.size() << " acknowledged documents";
    std::cout << "[ crash    ] " << rounds << " kill -9 rounds, " << executions_.size()
              << " acknowledged executions, " << acked_.size() << " documents, all executed\n";
}

// Executions waiting on a partner when the server dies are not lost: their work is still
// queued, and after the restart they run again (issue 24: waiting executions hold no thread,
// and nothing of their durability is given up for it).
TEST_F(Kill9Test, ExecutionsWaitingOnAPartnerRunAgainAfterKillNine) {
    test::local_http_server partner([](const test::seen_request&) {
        return test::canned_reply{200, "ok", {}, 0};
    });
    processes_.write("call.yaml",
                     "name: callPartner\n"
                     "listen: {type: create, object: Call, input: single_data, output: none}\n"
                     "steps:\n"
                     "  - http_call: {method: POST, url: 'http://127.0.0.1:" +
                         std::to_string(partner.port()) + "/partner', timeout_ms: 120000}\n");
    constexpr std::size_t waiting = 500;
    partner.hold(std::chrono::seconds(120));
    {
        test::server_process server(processes_.str(), data_.str());
        test::http_session session(server.port());
        for (std::size_t i = 0; i < waiting; ++i) {
            const auto res = session.request("POST", "/ws/simple/createCall",
                                             "{\"call\":" + std::to_string(i) + "}");
            ASSERT_EQ(res.status, 202) << res.body;
            executions_.emplace_back(boost::json::parse(res.body).at("execution_id").as_string());
        }
        // All claimed and waiting: 64 on calls the partner holds, the rest for their turn.
        ASSERT_TRUE(test::eventually(
            [&] {
                return test::metric(server.port(), "ferry_executions_in_flight") ==
                           std::to_string(waiting) &&
                       partner.request_count() == 64;
            },
            std::chrono::seconds(60), std::chrono::milliseconds(20)))
            << partner.request_count() << " calls reached the partner";
        server.kill9();
    }
    const auto before_restart = partner.request_count();
    partner.release();  // the partner answers from now on

    test::server_process server(processes_.str(), data_.str());
    for (const auto& id : executions_) {
        const auto done = test::wait_finished(server.port(), id, std::chrono::seconds(120));
        ASSERT_EQ(done.at("state").as_string(), "succeeded") << id << ": " << done;
    }
    EXPECT_GE(partner.request_count(), before_restart + waiting);
    std::cout << "[ crash    ] kill -9 with " << waiting
              << " executions waiting on a partner: all ran again after the restart\n";
}

}  // namespace ferry
