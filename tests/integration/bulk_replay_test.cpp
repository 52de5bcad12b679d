// Bulk replay against the real binary: by filter against a new version kept inactive, as a
// dry run first and then for real, with progress over the API and the CLI.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {

// Version 1 refuses orders without lines; version 2 takes every order.
std::string orders(int version) {
    return "name: orders\nversion: " + std::to_string(version) +
           "\nlisten: {type: create, object: Order, input: single_json, output: none}\n"
           "steps:\n"
           "  - id: gate\n"
           "    decision:\n"
           "      left: current_data\n"
           "      op: wildcard\n"
           "      right: {static: \"" +
           (version == 1 ? "*lines*" : "*") +
           "\"}\n"
           "      then:\n"
           "        - id: accept\n"
           "          message: {template: \"ok\"}\n"
           "      else:\n"
           "        - id: refuse\n"
           "          exception: {message: \"no lines\"}\n";
}

boost::json::object parsed(const test::http_reply& r) {
    return boost::json::parse(r.body).as_object();
}

boost::json::object wait_replay(std::uint16_t port, const std::string& id) {
    boost::json::object p;
    const auto ended = test::eventually(
        [&] {
            p = parsed(test::http_request(port, "GET", "/_admin/replays/" + id));
            const auto state = std::string(p.at("state").as_string());
            return state == "finished" || state == "cancelled" || state == "failed";
        },
        std::chrono::seconds(120), std::chrono::milliseconds(20));
    if (ended) return p;
    ADD_FAILURE() << "replay " << id << " did not end";
    return {};
}

class BulkReplayTest : public ::testing::Test {
protected:
    test::temp_dir processes_;
    test::temp_dir data_;
};

TEST_F(BulkReplayTest, DryRunThenReplayFailedOrdersWithTheFixedVersion) {
    processes_.write("orders.yaml", orders(1));
    test::server_process server(processes_.str(), data_.str());
    const auto port = server.port();
    // 40 orders, every fourth without lines.
    std::vector<std::string> ids;
    test::http_session session(port);
    for (int i = 0; i < 40; ++i) {
        const auto r = session.request("POST", "/ws/simple/createOrder",
                                       i % 4 == 0 ? R"({"id": 1})" : R"({"lines": [1]})");
        ASSERT_EQ(r.status, 202) << r.body;
        ids.emplace_back(parsed(r).at("execution_id").as_string());
    }
    for (const auto& id : ids) test::wait_finished(port, id);

    // The fix is deployed without serving; a dry run shows what it would change.
    ASSERT_EQ(
        test::http_request(port, "POST", "/_admin/processes?activate=false", orders(2)).status,
        201);
    const auto started = test::http_request(
        port, "POST", "/_admin/replays?process=orders&state=failed&version=2&dry_run=true");
    ASSERT_EQ(started.status, 202) << started.body;
    const auto job = std::string(parsed(started).at("replay_id").as_string());
    EXPECT_EQ(started.header("Location"), "/_admin/replays/" + job);
    const auto dry = wait_replay(port, job);
    EXPECT_EQ(dry.at("state").as_string(), "finished");
    EXPECT_EQ(dry.at("total").as_int64(), 10);
    EXPECT_EQ(dry.at("differing").as_int64(), 10);
    const auto& first = dry.at("items").as_array().at(0).as_object();
    EXPECT_EQ(first.at("differences").as_array().at(0).as_string(),
              "failed -> succeeded (was: step 'refuse': no lines)");
    // Nothing was stored by the dry run.
    const auto listed = parsed(test::http_request(port, "GET", "/_admin/executions?limit=1000"));
    EXPECT_EQ(listed.at("executions").as_array().size(), 40u);

    // For real: ten new executions by version 2, each linked to its original, all succeed.
    const auto real =
        test::http_request(port, "POST", "/_admin/replays?process=orders&state=failed&version=2");
    ASSERT_EQ(real.status, 202) << real.body;
    const auto done = wait_replay(port, std::string(parsed(real).at("replay_id").as_string()));
    EXPECT_EQ(done.at("replayed").as_int64(), 10);
    EXPECT_EQ(done.at("refused").as_int64(), 0);
    std::vector<std::string> replays;
    test::eventually(
        [&] {
            replays.clear();
            const auto page =
                parsed(test::http_request(port, "GET", "/_admin/executions?limit=1000"));
            for (const auto& e : page.at("executions").as_array()) {
                if (!e.at("replay_of").is_null()) replays.emplace_back(e.at("id").as_string());
            }
            return replays.size() >= 10;
        },
        std::chrono::seconds(10), std::chrono::milliseconds(20));
    ASSERT_EQ(replays.size(), 10u);
    for (const auto& id : replays) {
        const auto e = test::wait_finished(port, id);
        EXPECT_EQ(e.at("state").as_string(), "succeeded") << id;
        EXPECT_EQ(e.at("process_version").as_int64(), 2);
    }
    // Listed, newest first.
    const auto jobs = parsed(test::http_request(port, "GET", "/_admin/replays"));
    EXPECT_EQ(jobs.at("replays").as_array().size(), 2u);
}

TEST_F(BulkReplayTest, RefusedRequestsSayWhy) {
    processes_.write("orders.yaml", orders(1));
    test::server_process server(processes_.str(), data_.str());
    const auto port = server.port();
    const auto error_of = [&](const std::string& target, const std::string& body = "") {
        return std::string(
            parsed(test::http_request(port, "POST", target, body)).at("error").as_string());
    };
    EXPECT_EQ(error_of("/_admin/replays"), "filter_required");
    EXPECT_EQ(error_of("/_admin/replays?state=sleeping"), "invalid_query");
    EXPECT_EQ(error_of("/_admin/replays?process=orders&version=9"), "unknown_version");
    EXPECT_EQ(error_of("/_admin/replays?version=1&state=failed"), "version_needs_process");
    EXPECT_EQ(error_of("/_admin/replays", "[1,2]"), "invalid_body");
    EXPECT_EQ(test::http_request(port, "GET", "/_admin/replays/nope").status, 404);
    EXPECT_EQ(test::http_request(port, "POST", "/_admin/replays/nope/cancel").status, 404);
    // An empty history replays nothing, and says so.
    const auto started = test::http_request(port, "POST", "/_admin/replays?all=true");
    ASSERT_EQ(started.status, 202);
    const auto done = wait_replay(port, std::string(parsed(started).at("replay_id").as_string()));
    EXPECT_EQ(done.at("total").as_int64(), 0);
    EXPECT_EQ(done.at("state").as_string(), "finished");
}

TEST_F(BulkReplayTest, CliFollowsAReplayWithPlainLines) {
    processes_.write("orders.yaml", orders(1));
    test::server_process server(processes_.str(), data_.str());
    const auto port = server.port();
    std::string last;
    for (int i = 0; i < 6; ++i) {
        const auto r = test::http_request(port, "POST", "/ws/simple/createOrder", R"({"id": 1})");
        last = std::string(parsed(r).at("execution_id").as_string());
    }
    test::wait_finished(port, last);
    const auto at = " --server http://127.0.0.1:" + std::to_string(port);
    // Not a terminal: plain lines, the last one the outcome.
    const auto out =
        test::ferry_command("replay --process orders --state failed" + at).value_or("");
    const auto final_line = out.substr(out.rfind('\n') + 1);
    EXPECT_TRUE(final_line.starts_with("replay ")) << out;
    EXPECT_TRUE(final_line.ends_with(" finished: 6/6 replayed 6, refused 0")) << out;

    const auto dry = test::ferry_command("replay " + last + " --dry-run" + at).value_or("");
    EXPECT_NE(dry.find("finished: 1/1 replayed 1, refused 0, differing 0"), std::string::npos)
        << dry;
    const auto detached = test::ferry_command("replay --all-history --detach" + at);
    ASSERT_TRUE(detached);
    EXPECT_EQ(detached->size(), 24u);
    const auto table = test::ferry_command("replays" + at).value_or("");
    EXPECT_EQ(table.substr(0, table.find('\n')),
              "REPLAY                    STATE      DRY RUN  STARTED              PROGRESS");
    EXPECT_FALSE(test::ferry_command("replay" + at));  // nothing named
    EXPECT_FALSE(test::ferry_command("replay --process orders --version 5" + at));
}

}  // namespace
}  // namespace ferry
