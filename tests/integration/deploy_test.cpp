// Hot deployment against the real binary: redeploy under load, pause and resume across a
// restart, refusals, and the CLI's tables.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "support/eventually.hpp"
#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {

std::string echo(int version, const std::string& answer) {
    return "name: echo\nversion: " + std::to_string(version) +
           "\nlisten: {type: execute, object: Echo, input: single_data, output: single_data}\n"
           "steps:\n  - message: {template: \"" +
           answer + "\"}\n  - return: {}\n";
}

boost::json::object parsed(const test::http_reply& r) {
    return boost::json::parse(r.body).as_object();
}

class DeployTest : public ::testing::Test {
protected:
    test::temp_dir processes_;
    test::temp_dir data_;
};

// Callers keep calling while three new versions are deployed: every call is answered 200, by
// one version or the next, and the last version answers once deployed. Each version answers
// several calls before the next is deployed, so every deploy lands under load (counted, not
// timed: a slow build makes fewer calls in the same time).
TEST_F(DeployTest, RedeployUnderLoadFailsNoRequest) {
    processes_.write("echo.yaml", echo(1, "v1"));
    test::server_process server(processes_.str(), data_.str(),
                                {"--max-concurrent-executions", "0"});
    std::atomic<bool> done{false};
    std::atomic<int> calls{0};
    std::atomic<int> failures{0};
    std::mutex seen_mutex;
    std::map<std::string, int> seen;  // reply: how many calls it answered
    std::vector<std::thread> callers;
    for (int i = 0; i < 4; ++i) {
        callers.emplace_back([&] {
            test::http_session session(server.port());
            while (!done) {
                const auto r = session.request("POST", "/ws/simple/executeEcho", "x");
                ++calls;
                if (r.status != 200) {
                    ++failures;
                    ADD_FAILURE() << r.status << " " << r.body;
                    continue;
                }
                std::lock_guard lock(seen_mutex);
                ++seen[r.body];
            }
        });
    }
    const auto deploy = [&](int version) {
        const auto r = test::http_request(server.port(), "POST", "/_admin/processes?file=echo.yaml",
                                          echo(version, "v" + std::to_string(version)),
                                          {{"Content-Type", "application/yaml"}});
        ASSERT_EQ(r.status, 201) << r.body;
        EXPECT_EQ(parsed(r).at("replaced_version").as_int64(), version - 1);
    };
    // Each version serves the callers before the next is deployed.
    constexpr int calls_per_version = 5;
    const auto served = [&](const std::string& reply) {
        return test::eventually([&] {
            std::lock_guard lock(seen_mutex);
            const auto it = seen.find(reply);
            return it != seen.end() && it->second >= calls_per_version;
        });
    };
    EXPECT_TRUE(served("v1"));
    for (int version = 2; version <= 4; ++version) {
        deploy(version);
        EXPECT_TRUE(served("v" + std::to_string(version)));
    }
    done = true;
    for (auto& t : callers) t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_GE(calls.load(), 4 * calls_per_version);
    EXPECT_TRUE(seen.contains("v1"));
    EXPECT_TRUE(seen.contains("v4"));
    EXPECT_EQ(test::http_request(server.port(), "POST", "/ws/simple/executeEcho", "x").body, "v4");

    // Every version is kept; version 4 is the active one, also after a restart.
    const auto versions = parsed(test::http_request(server.port(), "GET", "/_admin/processes"));
    ASSERT_EQ(versions.at("processes").as_array().size(), 4u);
    EXPECT_TRUE(versions.at("processes").as_array()[3].at("active").as_bool());
    server.stop();
    test::server_process again(processes_.str(), data_.str());
    EXPECT_EQ(test::http_request(again.port(), "POST", "/ws/simple/executeEcho", "x").body, "v4");
    EXPECT_NE(again.log().find(
                  "echo.yaml ('echo' version 1) is not served: the admin API deployed version 4"),
              std::string::npos)
        << again.log();
}

TEST_F(DeployTest, APausedListenerAnswers503AndStaysPausedAcrossRestart) {
    processes_.write("echo.yaml", echo(1, "v1"));
    auto server = std::make_unique<test::server_process>(processes_.str(), data_.str());
    auto port = server->port();
    const auto paused = test::http_request(port, "POST", "/_admin/listeners/echo/pause");
    ASSERT_EQ(paused.status, 200) << paused.body;
    EXPECT_EQ(parsed(paused).at("state").as_string(), "paused");
    const auto refused = test::http_request(port, "POST", "/ws/simple/executeEcho", "x");
    EXPECT_EQ(refused.status, 503);
    EXPECT_EQ(parsed(refused).at("error").as_string(), "listener_paused");

    server->stop();
    server = std::make_unique<test::server_process>(processes_.str(), data_.str());
    port = server->port();
    EXPECT_EQ(test::http_request(port, "POST", "/ws/simple/executeEcho", "x").status, 503);
    const auto listeners = parsed(test::http_request(port, "GET", "/_admin/listeners"));
    const auto& first = listeners.at("listeners").as_array().at(0).as_object();
    EXPECT_EQ(first.at("state").as_string(), "paused");
    EXPECT_EQ(first.at("path").as_string(), "/ws/simple/executeEcho");

    EXPECT_EQ(test::http_request(port, "POST", "/_admin/listeners/echo/restart").status, 200);
    EXPECT_EQ(test::http_request(port, "POST", "/ws/simple/executeEcho", "x").status, 503);
    const auto resumed = test::http_request(port, "POST", "/_admin/listeners/echo/resume");
    EXPECT_EQ(parsed(resumed).at("state").as_string(), "listening");
    EXPECT_EQ(test::http_request(port, "POST", "/ws/simple/executeEcho", "x").body, "v1");
    EXPECT_EQ(test::http_request(port, "POST", "/_admin/listeners/nobody/pause").status, 404);
    EXPECT_EQ(test::http_request(port, "GET", "/_admin/listeners/echo/pause").status, 405);
}

TEST_F(DeployTest, BadDeploymentsAreRefusedWithReasons) {
    processes_.write("echo.yaml", echo(1, "v1"));
    test::server_process server(processes_.str(), data_.str());
    const auto post = [&](const std::string& body, const std::string& query = "") {
        return test::http_request(server.port(), "POST", "/_admin/processes" + query, body);
    };
    const auto invalid = post("name: broken\nlisten: {type: nope}\n", "?file=broken.yaml");
    EXPECT_EQ(invalid.status, 400);
    EXPECT_EQ(parsed(invalid).at("error").as_string(), "invalid_definition");
    EXPECT_NE(parsed(invalid).at("detail").as_string().find("broken.yaml:"), std::string::npos);
    EXPECT_EQ(parsed(post(echo(1, "other"))).at("error").as_string(), "version_exists");
    EXPECT_EQ(post(echo(1, "v1")).status, 200);  // the same again: unchanged
    EXPECT_EQ(parsed(post("")).at("error").as_string(), "empty_definition");
    EXPECT_EQ(post(echo(2, "v2"), "?activate=maybe").status, 400);
    // Kept without serving, then served.
    EXPECT_EQ(post(echo(2, "v2"), "?activate=false").status, 201);
    EXPECT_EQ(test::http_request(server.port(), "POST", "/ws/simple/executeEcho", "x").body, "v1");
    EXPECT_EQ(
        test::http_request(server.port(), "POST", "/_admin/processes/echo/versions/2/activate")
            .status,
        200);
    EXPECT_EQ(test::http_request(server.port(), "POST", "/ws/simple/executeEcho", "x").body, "v2");
    EXPECT_EQ(test::http_request(server.port(), "DELETE", "/_admin/processes/nobody").status, 404);
    EXPECT_EQ(test::http_request(server.port(), "DELETE", "/_admin/processes/echo").status, 200);
    const auto gone = test::http_request(server.port(), "POST", "/ws/simple/executeEcho", "x");
    EXPECT_EQ(gone.status, 404);
    EXPECT_EQ(parsed(gone).at("error").as_string(), "unknown_operation");
}

TEST_F(DeployTest, CliDeploysListsPausesAndUndeploys) {
    processes_.write("echo.yaml", echo(1, "v1"));
    test::server_process server(processes_.str(), data_.str());
    const auto at = " --server http://127.0.0.1:" + std::to_string(server.port());
    const auto file = processes_.write("echo-2.yaml", echo(2, "v2")).string();

    EXPECT_EQ(test::ferry_command("deploy " + file + at).value_or(""),
              file + ": echo version 2 serves executeEcho (replacing version 1)");
    EXPECT_EQ(test::ferry_command("deploy " + file + at).value_or(""),
              file + ": echo version 2 is already serving executeEcho (unchanged)");
    const auto table = test::ferry_command("processes" + at).value_or("");
    EXPECT_EQ(table.substr(0, table.find('\n')),
              "PROCESS               VERSION  ACTIVE  OPERATION                 SOURCE     "
              "DEPLOYED             FILE");
    EXPECT_NE(table.find("echo                        2  yes     executeEcho               admin"),
              std::string::npos)
        << table;

    EXPECT_EQ(test::ferry_command("pause echo" + at).value_or(""), "echo: paused");
    const auto listeners = test::ferry_command("listeners" + at).value_or("");
    EXPECT_EQ(listeners.substr(0, listeners.find('\n')),
              "PROCESS               OPERATION                 VERSION  STATE      SINCE      "
              "          ERROR");
    EXPECT_NE(listeners.find("echo                  executeEcho                     2  paused"),
              std::string::npos)
        << listeners;
    EXPECT_EQ(test::ferry_command("resume echo" + at).value_or(""), "echo: listening");
    const auto json =
        boost::json::parse(test::ferry_command("listeners --json" + at).value_or("[]"));
    EXPECT_EQ(json.as_array().at(0).at("state").as_string(), "listening");

    EXPECT_TRUE(test::ferry_command("activate echo 1" + at));
    EXPECT_EQ(test::http_request(server.port(), "POST", "/ws/simple/executeEcho", "x").body, "v1");
    EXPECT_FALSE(test::ferry_command("activate echo 9" + at));
    EXPECT_TRUE(test::ferry_command("undeploy echo" + at));
    EXPECT_FALSE(test::ferry_command("undeploy echo" + at));
    EXPECT_FALSE(test::ferry_command("pause nobody" + at));
    EXPECT_TRUE(test::ferry_command("deploy --help"));
}

}  // namespace
}  // namespace ferry
