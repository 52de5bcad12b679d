// Internal queues against the real binary: the dead-letter cycle (redelivery on the
// configured schedule, dead letter, fix, resend, clear), parked messages that wait for a
// listener across a restart, publish/subscribe, a redelivery that survives kill -9, and the
// CLI's tables.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <functional>
#include <thread>

#include "support/eventually.hpp"
#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {

namespace json = boost::json;

const std::string sender =
    "name: sendOrder\nlisten: {type: create, object: Order, input: multiple_json, output: none}\n"
    "steps:\n  - id: out\n    queue_send: {queue: orders}\n";

// Refuses every order whose "ok" is not "yes", or (refuses = false: the fix) none.
std::string shipper(int version, bool refuses = true) {
    return "name: shipOrder\nversion: " + std::to_string(version) +
           "\nlisten: {queue: orders, input: multiple_json}\nsteps:\n" +
           (refuses ? "  - id: check\n    decision:\n      left: {element: ok}\n      op: '='\n"
                      "      right: {static: 'yes'}\n      then: [{id: done, stop: {}}]\n"
                      "      else: [{id: refuse, exception: {message: 'order refused'}}]\n"
                    : "  - id: done\n    stop: {}\n");
}

json::value get(std::uint16_t port, const std::string& target) {
    const auto r = test::http_request(port, "GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body);
}

// Polls until `done` holds, for up to `seconds`.
bool eventually(const std::function<bool()>& done, int seconds = 20) {
    return test::eventually(done, std::chrono::seconds(seconds), std::chrono::milliseconds(50));
}

// "2026-11-24T10:00:00.123Z" in ms since the epoch.
std::int64_t ms_of(const json::value& v) {
    const std::string t(v.as_string());
    std::tm tm{};
    strptime(t.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    return static_cast<std::int64_t>(timegm(&tm)) * 1000 + std::stoi(t.substr(20, 3));
}

json::array executions_of(std::uint16_t port, const std::string& process) {
    return get(port, "/_admin/executions?limit=1000&process=" + process)
        .at("executions")
        .as_array();
}

std::size_t count_state(const json::array& list, const std::string& state) {
    std::size_t n = 0;
    for (const auto& e : list) n += e.at("state").as_string() == state ? 1 : 0;
    return n;
}

void post_order(std::uint16_t port, const std::string& body) {
    const auto r = test::http_request(port, "POST", "/ws/simple/createOrder", body);
    ASSERT_EQ(r.status, 202) << r.body;
}

class QueuesTest : public ::testing::Test {
protected:
    test::temp_dir processes_;
    test::temp_dir data_;
};

TEST_F(QueuesTest, DeadLetterCycle) {
    processes_.write("sendOrder.yaml", sender);
    processes_.write("shipOrder.yaml", shipper(1));
    test::server_process server(processes_.str(), data_.str(), {"--redelivery", "150ms,300ms"});
    const auto port = server.port();
    post_order(port, R"([{"ok": "yes"}])");
    post_order(port, R"([{"ok": "no", "order": 7}])");

    json::array letters;
    ASSERT_TRUE(eventually([&] {
        letters = get(port, "/_admin/dead-letters").at("dead_letters").as_array();
        return letters.size() == 1;
    }));
    const auto& letter = letters[0].as_object();
    const std::string id(letter.at("id").as_string());
    EXPECT_EQ(letter.at("queue").as_string(), "orders");
    EXPECT_EQ(letter.at("process").as_string(), "shipOrder");
    EXPECT_EQ(letter.at("deliveries").as_int64(), 3);  // the first and two redeliveries
    EXPECT_EQ(letter.at("error").as_string(), "step 'refuse': order refused");

    // Inspect: every delivery, on the schedule.
    const auto detail = get(port, "/_admin/dead-letters/" + id).as_object();
    const auto& history = detail.at("delivery_history").as_array();
    ASSERT_EQ(history.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(history[i].at("state").as_string(), "failed");
        EXPECT_EQ(history[i].at("queue").at("delivery").as_int64(),
                  static_cast<std::int64_t>(i + 1));
    }
    const auto gap1 = ms_of(history[1].at("started_at")) - ms_of(history[0].at("finished_at"));
    const auto gap2 = ms_of(history[2].at("started_at")) - ms_of(history[1].at("finished_at"));
    EXPECT_GE(gap1, 150);
    EXPECT_GE(gap2, 300);
    EXPECT_LT(gap2, 5000);
    EXPECT_EQ(history[2].at("id").as_string(), id);
    // The delivery's documents are the message's.
    const auto doc = test::http_request(port, "GET",
                                        "/_admin/executions/" + id + "/documents/" +
                                            std::string(detail.at("documents").at(0).as_string()));
    EXPECT_EQ(doc.status, 200);
    EXPECT_EQ(json::parse(doc.body).at("data").as_string(), R"({"ok": "no", "order": 7})");

    // The queue shows it; the CLI lists it.
    const auto queues = get(port, "/_admin/queues").at("queues").as_array();
    ASSERT_EQ(queues.size(), 1u);
    EXPECT_EQ(queues[0].at("dead_letters").as_int64(), 1);
    EXPECT_EQ(queues[0].at("senders").at(0).as_string(), "sendOrder");
    const auto at = " --server http://127.0.0.1:" + std::to_string(port);
    const auto table = test::ferry_command("dlq" + at).value_or("");
    EXPECT_EQ(table.substr(0, table.find('\n')),
              "ID                        QUEUE             PROCESS               DELIVERIES  "
              "DEAD AT              ERROR");
    EXPECT_NE(table.find(id + "  orders            shipOrder                      3  "),
              std::string::npos)
        << table;
    EXPECT_EQ(test::ferry_command("queues" + at).value_or(""),
              "QUEUE                 LISTENERS                 SENDERS                    PARKED"
              "  DEAD LETTERS\n"
              "orders                shipOrder                 sendOrder                       0"
              "             1\n"
              "0 redeliveries waiting for their time");

    // Fix the listener, resend: it succeeds and the dead letter is gone.
    const auto deployed = test::http_request(port, "POST", "/_admin/processes", shipper(2, false),
                                             {{"Content-Type", "application/yaml"}});
    ASSERT_EQ(deployed.status, 201) << deployed.body;
    EXPECT_EQ(test::ferry_command("dlq resend " + id + at).value_or("").substr(0, id.size() + 20),
              id + " resent as execution");
    EXPECT_TRUE(get(port, "/_admin/dead-letters").at("dead_letters").as_array().empty());
    EXPECT_EQ(test::http_request(port, "POST", "/_admin/dead-letters/" + id + "/resend").status,
              404);
    ASSERT_TRUE(eventually([&] {
        for (const auto& e : executions_of(port, "shipOrder")) {
            if (e.at("queue").at("resent_from") == json::value(id)) {
                return e.at("state").as_string() == "succeeded" &&
                       e.at("process_version").as_int64() == 2;
            }
        }
        return false;
    }));

    // Clear: a dead letter is removed for good (version 3 refuses again).
    ASSERT_EQ(test::http_request(port, "POST", "/_admin/processes", shipper(3),
                                 {{"Content-Type", "application/yaml"}})
                  .status,
              201);
    post_order(port, R"([{"ok": "no"}])");
    ASSERT_TRUE(eventually([&] {
        return get(port, "/_admin/dead-letters?queue=orders")
                   .at("dead_letters")
                   .as_array()
                   .size() == 1;
    }));
    EXPECT_EQ(test::http_request(port, "DELETE", "/_admin/dead-letters").status, 400);
    const auto cleared = test::http_request(port, "DELETE", "/_admin/dead-letters?queue=orders");
    ASSERT_EQ(cleared.status, 200);
    EXPECT_EQ(json::parse(cleared.body).at("cleared").as_int64(), 1);
    EXPECT_TRUE(get(port, "/_admin/dead-letters").at("dead_letters").as_array().empty());
    EXPECT_EQ(test::http_request(port, "GET", "/_admin/dead-letters/nope").status, 404);
}

// A bulk resend takes the letters that were dead when it began: with a listener that fails
// every delivery at once (no redelivery), each resent message is a dead letter again within
// the call, and must not be resent again (more letters than one listing page of 500).
TEST_F(QueuesTest, BulkResendTakesOnlyLettersDeadWhenItBegan) {
    processes_.write("sendOrder.yaml", sender);
    processes_.write("shipOrder.yaml", shipper(1));
    test::server_process server(processes_.str(), data_.str(), {"--redelivery", "0"});
    const auto port = server.port();
    constexpr int letters = 520;
    std::vector<std::thread> posters;
    for (int t = 0; t < 4; ++t) {
        posters.emplace_back([&] {
            test::http_session session(port);
            for (int i = 0; i < letters / 4; ++i) {
                EXPECT_EQ(
                    session.request("POST", "/ws/simple/createOrder", R"([{"ok": "no"}])").status,
                    202);
            }
        });
    }
    for (auto& t : posters) t.join();
    ASSERT_TRUE(eventually(
        [&] { return count_state(executions_of(port, "shipOrder"), "failed") == letters; }, 60));
    const auto resent = test::http_request(port, "POST", "/_admin/dead-letters/resend?all=true");
    ASSERT_EQ(resent.status, 200) << resent.body;
    const auto body = json::parse(resent.body);
    EXPECT_EQ(body.at("resent").as_int64(), letters);
    EXPECT_FALSE(body.at("more").as_bool());
    // Each resent message failed once more and is a dead letter again: two deliveries each.
    const auto failed_deliveries = [&] {
        std::size_t n = 0;
        std::string cursor;
        do {
            const auto page = get(port, "/_admin/executions?limit=1000&process=shipOrder" +
                                            (cursor.empty() ? "" : "&cursor=" + cursor));
            n += count_state(page.at("executions").as_array(), "failed");
            const auto& next = page.at("next_cursor");
            cursor = next.is_string() ? std::string(next.as_string()) : "";
        } while (!cursor.empty());
        return n;
    };
    ASSERT_TRUE(eventually([&] { return failed_deliveries() == 2 * letters; }, 60));
    // Not awaiting anything: time for a wrongly scheduled third delivery to show.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(failed_deliveries(), 2u * letters);
    EXPECT_EQ(get(port, "/_admin/dead-letters?limit=1000").at("dead_letters").as_array().size(),
              static_cast<std::size_t>(letters));
}

// A message for a queue nobody listens on waits (also across a restart) and is delivered
// once a listener is deployed.
TEST_F(QueuesTest, ParkedMessageWaitsForAListener) {
    processes_.write("sendOrder.yaml", sender);
    {
        test::server_process server(processes_.str(), data_.str());
        post_order(server.port(), R"([{"ok": "yes"}])");
        ASSERT_TRUE(eventually([&] {
            const auto q = get(server.port(), "/_admin/queues").at("queues").as_array();
            return q.size() == 1 && q[0].at("parked").as_int64() == 1;
        }));
    }
    test::server_process server(processes_.str(), data_.str());
    const auto port = server.port();
    const auto q = get(port, "/_admin/queues").at("queues").as_array();
    ASSERT_EQ(q.size(), 1u);
    EXPECT_EQ(q[0].at("parked").as_int64(), 1);
    EXPECT_TRUE(q[0].at("listeners").as_array().empty());

    const auto deployed = test::http_request(port, "POST", "/_admin/processes", shipper(1),
                                             {{"Content-Type", "application/yaml"}});
    ASSERT_EQ(deployed.status, 201) << deployed.body;
    ASSERT_TRUE(eventually(
        [&] { return count_state(executions_of(port, "shipOrder"), "succeeded") == 1; }));
    EXPECT_EQ(get(port, "/_admin/queues").at("queues").at(0).at("parked").as_int64(), 0);
}

// publish: true reaches every listener; a paused listener's copy waits until it resumes.
TEST_F(QueuesTest, PublishReachesEveryListener) {
    processes_.write("sendOrder.yaml",
                     "name: sendOrder\nlisten: {type: create, object: Order, "
                     "input: multiple_json, output: none}\nsteps:\n"
                     "  - queue_send: {queue: orders, publish: true}\n");
    processes_.write("a.yaml", "name: auditOrder\nlisten: {queue: orders}\n");
    processes_.write("b.yaml", "name: packOrder\nlisten: {queue: orders}\n");
    test::server_process server(processes_.str(), data_.str());
    const auto port = server.port();
    post_order(port, R"([{"n": 1}])");
    ASSERT_TRUE(eventually([&] {
        return count_state(executions_of(port, "auditOrder"), "succeeded") == 1 &&
               count_state(executions_of(port, "packOrder"), "succeeded") == 1;
    }));
    ASSERT_EQ(test::http_request(port, "POST", "/_admin/listeners/packOrder/pause").status, 200);
    post_order(port, R"([{"n": 2}])");
    ASSERT_TRUE(eventually(
        [&] { return count_state(executions_of(port, "auditOrder"), "succeeded") == 2; }));
    EXPECT_EQ(count_state(executions_of(port, "packOrder"), "succeeded"), 1u);
    EXPECT_EQ(get(port, "/_admin/queues").at("queues").at(0).at("parked").as_int64(), 1);
    ASSERT_EQ(test::http_request(port, "POST", "/_admin/listeners/packOrder/resume").status, 200);
    ASSERT_TRUE(eventually(
        [&] { return count_state(executions_of(port, "packOrder"), "succeeded") == 2; }));
    EXPECT_EQ(count_state(executions_of(port, "auditOrder"), "succeeded"), 2u);
    EXPECT_EQ(get(port, "/_admin/queues").at("queues").at(0).at("parked").as_int64(), 0);
}

// A redelivery waiting for its time survives kill -9 and is delivered after the restart.
TEST_F(QueuesTest, RedeliverySurvivesKill9) {
    processes_.write("sendOrder.yaml", sender);
    // Fails the first delivery only.
    processes_.write("shipOrder.yaml",
                     "name: shipOrder\nlisten: {queue: orders}\nsteps:\n"
                     "  - decision:\n      left: {process_property: queue_delivery}\n"
                     "      op: '='\n      right: {static: '1'}\n"
                     "      then: [{exception: {message: 'first delivery fails'}}]\n"
                     "      else: [{stop: {}}]\n");
    {
        test::server_process server(processes_.str(), data_.str(), {"--redelivery", "3s"});
        post_order(server.port(), R"([{"ok": "yes"}])");
        ASSERT_TRUE(eventually(
            [&] { return count_state(executions_of(server.port(), "shipOrder"), "failed") == 1; }));
        server.kill9();
    }
    test::server_process server(processes_.str(), data_.str(), {"--redelivery", "3s"});
    ASSERT_TRUE(eventually(
        [&] { return count_state(executions_of(server.port(), "shipOrder"), "succeeded") == 1; }));
    const auto list = executions_of(server.port(), "shipOrder");
    EXPECT_EQ(list.size(), 2u);
    EXPECT_TRUE(get(server.port(), "/_admin/dead-letters").at("dead_letters").as_array().empty());
}

}  // namespace
}  // namespace ferry
