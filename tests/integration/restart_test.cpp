#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/recording.hpp"
#include "support/server_process.hpp"

namespace ferry {

class RestartTest : public ::testing::Test {
protected:
    void SetUp() override { processes_.write("record.yaml", test::recording_process); }

    std::vector<std::string> post(std::uint16_t port, int count) {
        std::vector<std::string> ids;
        for (int i = 0; i < count; ++i) {
            const auto res =
                test::http_request(port, "POST", "/ws/simple/createEvent", R"([{"a":1},{"b":2}])");
            EXPECT_EQ(res.status, 202);
            if (res.status != 202) continue;
            const auto receipt = boost::json::parse(res.body);  // must outlive the loop
            for (const auto& id : receipt.at("documents").as_array()) {
                ids.emplace_back(id.as_string());
            }
        }
        return ids;
    }

    bool wait_executed(const std::vector<std::string>& ids) {
        return test::eventually(
            [&] {
                const auto seen = test::executed_documents(data_.path());
                bool all = true;
                for (const auto& id : ids) all = all && seen.contains(id);
                return all;
            },
            std::chrono::seconds(30), std::chrono::milliseconds(20));
    }

    test::temp_dir processes_;
    test::temp_dir data_;
};

// Executions accepted while no executor ran are found and run by the next server start.
TEST_F(RestartTest, QueuedExecutionsRunAfterRestart) {
    std::vector<std::string> ids;
    {
        test::server_process server(processes_.str(), data_.str(), {"--executors", "0"});
        ids = post(server.port(), 20);
        EXPECT_EQ(server.stop(), 0);
    }
    EXPECT_TRUE(test::executed_documents(data_.path()).empty());
    test::server_process server(processes_.str(), data_.str());
    EXPECT_TRUE(wait_executed(ids));
    const auto seen = test::executed_documents(data_.path());
    for (const auto& id : ids) EXPECT_EQ(seen.at(id), 1);
}

// After a clean stop and start, old executions stay readable and nothing runs twice.
TEST_F(RestartTest, CleanRestartKeepsHistoryAndRunsNothingTwice) {
    std::vector<std::string> first;
    std::string execution;
    {
        test::server_process server(processes_.str(), data_.str());
        first = post(server.port(), 10);
        ASSERT_TRUE(wait_executed(first));
        execution = first[0].substr(0, first[0].rfind('-'));
        EXPECT_EQ(server.stop(), 0);
    }
    test::server_process server(processes_.str(), data_.str());
    const auto status = test::http_request(server.port(), "GET", "/_admin/executions/" + execution);
    ASSERT_EQ(status.status, 200);
    EXPECT_EQ(boost::json::parse(status.body).at("state").as_string(), "succeeded");
    const auto second = post(server.port(), 10);
    ASSERT_TRUE(wait_executed(second));
    const auto seen = test::executed_documents(data_.path());
    EXPECT_EQ(seen.size(), first.size() + second.size());
    for (const auto& [id, times] : seen) EXPECT_EQ(times, 1) << id;
}

// SIGTERM drains: status and new posts answer 503 during the grace period, then a clean exit.
TEST_F(RestartTest, SigtermDrainsThenExitsCleanly) {
    test::server_process server(processes_.str(), data_.str(), {"--drain-grace-ms", "3000"});
    ASSERT_EQ(test::http_request(server.port(), "GET", "/_admin/status").status, 200);
    server.terminate();
    int status = 200;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (status == 200 && std::chrono::steady_clock::now() < deadline) {
        status = test::http_request(server.port(), "GET", "/_admin/status").status;
    }
    EXPECT_EQ(status, 503);
    const auto refused = test::http_request(server.port(), "GET", "/_admin/status");
    EXPECT_EQ(refused.body.rfind(R"({"status":"draining",)", 0), 0u) << refused.body;
    const auto post = test::http_request(server.port(), "POST", "/ws/simple/createEvent", "[{}]");
    EXPECT_EQ(post.status, 503);
    EXPECT_EQ(server.wait_exit(), 0);
}

}  // namespace ferry
