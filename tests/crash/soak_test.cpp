// A hundred crashes (issue 28): rounds of mixed load (asynchronous posts, synchronous calls
// that take sequence values, bulk ndjson uploads, queue sends, replays), each ended by kill -9
// at a random moment; then one last start and the ledger. Every 202 has its execution, and
// every execution finishes; no document ran more often than its record counts attempts; every
// queue message sent by an acknowledged post was delivered; no sequence value was handed out
// twice. FERRY_SOAK_ROUNDS sets the rounds: 10 in the crash suite (CI), 100 in ctest's
// `soak` label (soak_hundred_crashes, docs/reliability.md).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/recording.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {
namespace asio = boost::asio;

// Async posts and bulk uploads record each document's id; so does the queue's listener.
constexpr const char* import_process = R"(name: importEvent
mode: general
listen: {type: create, object: Import, input: ndjson, output: none}
steps:
  - message: {template: "{1}", variables: [document_id]}
  - file_write: {directory: log, file_name: imported.log, append: true}
)";
// A synchronous call takes a sequence value, writes it down, and answers with it.
constexpr const char* number_process = R"(name: takeNumber
mode: general
listen: {type: execute, object: Number, input: single_data, output: single_data}
steps:
  - message: {template: "{1}", variables: [{sequence: soak}]}
  - file_write: {directory: log, file_name: numbers.log, append: true}
  - return: {}
)";
constexpr const char* send_process = R"(name: sendEvent
mode: general
listen: {type: create, object: Message, input: multiple_json, output: none}
steps:
  - queue_send: {queue: soak}
)";
constexpr const char* receive_process = R"(name: receiveEvent
mode: general
listen: {queue: soak, input: multiple_json}
steps:
  - message: {template: "{1}", variables: [{element: m}]}
  - file_write: {directory: log, file_name: received.log, append: true}
)";

std::vector<std::string> lines_of(const std::filesystem::path& file) {
    std::istringstream in(test::read_file(file));
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

std::string json_string(const boost::json::value& v) { return std::string(v.as_string()); }

}  // namespace

class SoakTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("record.yaml", test::recording_process);
        processes_.write("import.yaml", import_process);
        processes_.write("number.yaml", number_process);
        processes_.write("send.yaml", send_process);
        processes_.write("receive.yaml", receive_process);
    }

    // One round: 12 clients, two of each kind, until the server dies.
    void load_until_killed(test::server_process& server, std::mt19937& random, int round) {
        asio::io_context io;
        bool stop = false;
        for (int c = 0; c < 12; ++c) {
            asio::co_spawn(io, client(server.port(), c, round, stop), asio::detached);
        }
        const auto delay = std::uniform_int_distribution<int>(200, 1500)(random);
        asio::steady_timer killer(io, std::chrono::milliseconds(delay));
        killer.async_wait([&](boost::system::error_code) {
            server.kill9();
            stop = true;
        });
        io.run();
    }

    asio::awaitable<void> client(std::uint16_t port, int c, int round, bool& stop) {
        test::async_http_session session(co_await asio::this_coro::executor, port);
        for (int i = 0; !stop; ++i) {
            const auto tag =
                std::to_string(round) + "-" + std::to_string(c) + "-" + std::to_string(i);
            test::http_reply res;
            switch (c % 6) {
                case 0:
                case 1:  // asynchronous posts of two documents
                    res = co_await session.request(
                        "POST", "/ws/simple/createEvent",
                        "[{\"t\":\"" + tag + "a\"},{\"t\":\"" + tag + "b\"}]");
                    if (res.status == 202) accept(res, recorded_);
                    break;
                case 2:  // synchronous calls
                    res = co_await session.request("POST", "/ws/simple/executeNumber", tag);
                    if (res.status == 200) numbers_answered_.push_back(res.body);
                    break;
                case 3: {  // bulk uploads of 20 lines
                    std::string body;
                    for (int line = 0; line < 20; ++line) {
                        body += "{\"t\":\"" + tag + "-" + std::to_string(line) + "\"}\n";
                    }
                    res = co_await session.request("POST", "/ws/simple/createImport", body);
                    if (res.status == 202) accept(res, imported_);
                    break;
                }
                case 4:  // queue sends
                    res = co_await session.request("POST", "/ws/simple/createMessage",
                                                   "[{\"m\":\"" + tag + "\"}]");
                    if (res.status == 202) {
                        sent_.push_back(tag);
                        executions_.push_back(
                            json_string(boost::json::parse(res.body).at("execution_id")));
                    }
                    break;
                default:  // replays of what this run has acknowledged so far
                    if (recorded_executions_.empty()) {
                        res = co_await session.request("POST", "/ws/simple/createEvent", "[{}]");
                        if (res.status == 202) accept(res, recorded_);
                        break;
                    }
                    res = co_await session.request(
                        "POST",
                        "/_admin/executions/" +
                            recorded_executions_[i % recorded_executions_.size()] + "/replay",
                        "");
                    if (res.status == 202) {
                        replays_.push_back(
                            json_string(boost::json::parse(res.body).at("execution_id")));
                    }
                    break;
            }
            if (res.status == 0) co_return;  // server gone
        }
    }

    void accept(const test::http_reply& res, std::vector<std::string>& documents) {
        const auto receipt = boost::json::parse(res.body).as_object();
        const auto id = json_string(receipt.at("execution_id"));
        executions_.push_back(id);
        if (&documents == &recorded_) recorded_executions_.push_back(id);
        // A bulk receipt names its first and last documents only: ids are "<execution>-<n>".
        const auto count = receipt.at("document_count").as_int64();
        for (std::int64_t n = 0; n < count; ++n) documents.push_back(id + "-" + std::to_string(n));
    }

    test::temp_dir processes_;
    test::temp_dir data_;
    std::vector<std::string> executions_;           // every execution answered 202
    std::vector<std::string> recorded_executions_;  // createEvent's, to replay
    std::vector<std::string> recorded_;             // their document ids
    std::vector<std::string> imported_;             // bulk documents' ids
    std::vector<std::string> sent_;                 // queue messages' markers
    std::vector<std::string> replays_;
    std::vector<std::string> numbers_answered_;
};

TEST_F(SoakTest, CrashesUnderMixedLoadLoseNothing) {
    const char* rounds_text = std::getenv("FERRY_SOAK_ROUNDS");
    const int rounds = rounds_text ? std::atoi(rounds_text) : 10;
    std::mt19937 random(std::random_device{}());
    for (int round = 0; round < rounds; ++round) {
        test::server_process server(processes_.str(), data_.str());
        const auto before = executions_.size();
        load_until_killed(server, random, round);
        EXPECT_GT(executions_.size(), before) << "round " << round << " acknowledged nothing";
    }
    test::server_process server(processes_.str(), data_.str());
    const auto port = server.port();
    // Every 202 has its execution, and every execution finishes (the replays' too).
    std::map<std::string, std::uint32_t> attempts;
    std::size_t unfinished = 0;
    for (const auto* ids : {&executions_, &replays_}) {
        for (const auto& id : *ids) {
            const auto done = test::wait_finished(port, id, std::chrono::seconds(120));
            const auto state = json_string(done.at("state"));
            if (state != "succeeded") {
                ++unfinished;
                ADD_FAILURE() << id << " " << done;
                continue;
            }
            attempts[id] = static_cast<std::uint32_t>(done.at("attempts").as_int64());
        }
    }
    // No document ran more often than its record counts attempts (a crash before the finish
    // runs it again, and counts that), nor never.
    const auto executed = test::executed_documents(data_.path());
    const auto imported = [&] {
        std::map<std::string, int> seen;
        for (const auto& line : lines_of(data_.path() / "files/log/imported.log")) ++seen[line];
        return seen;
    }();
    const auto execution_of = [](const std::string& document) {
        return document.substr(0, document.rfind('-'));
    };
    std::size_t missing = 0;
    for (const auto& [documents, seen] :
         {std::pair{&recorded_, &executed}, std::pair{&imported_, &imported}}) {
        for (const auto& doc : *documents) {
            const auto it = seen->find(doc);
            const auto times = it == seen->end() ? 0 : it->second;
            const auto allowed = attempts[execution_of(doc)];
            if (times == 0) ++missing;
            EXPECT_GE(times, 1) << doc;
            EXPECT_LE(static_cast<std::uint32_t>(times), allowed)
                << doc << " ran " << times << " times in " << allowed << " attempts";
        }
    }
    // Every queue message of an acknowledged send was delivered.
    std::set<std::string> received;
    test::eventually(
        [&] {
            const auto lines = lines_of(data_.path() / "files/log/received.log");
            received = std::set<std::string>(lines.begin(), lines.end());
            return std::all_of(sent_.begin(), sent_.end(),
                               [&](const auto& m) { return received.contains(m); });
        },
        std::chrono::seconds(60), std::chrono::milliseconds(100));
    std::size_t undelivered = 0;
    for (const auto& m : sent_) undelivered += received.contains(m) ? 0 : 1;
    EXPECT_EQ(undelivered, 0u) << "of " << sent_.size() << " queue messages";
    // No sequence value handed out twice, and every answered one was written down.
    const auto numbers = lines_of(data_.path() / "files/log/numbers.log");
    const std::set<std::string> distinct(numbers.begin(), numbers.end());
    EXPECT_EQ(distinct.size(), numbers.size()) << "a sequence value was handed out twice";
    for (const auto& n : numbers_answered_) EXPECT_TRUE(distinct.contains(n)) << n;
    EXPECT_EQ(unfinished, 0u);
    EXPECT_EQ(missing, 0u);
    std::cout << "[ soak     ] " << rounds << " kill -9 rounds: " << executions_.size()
              << " acknowledged executions (" << recorded_.size() << " posted and "
              << imported_.size() << " bulk documents, " << sent_.size() << " queue messages), "
              << replays_.size() << " replays, " << numbers_answered_.size()
              << " synchronous calls (" << numbers.size()
              << " sequence values, all distinct): all finished, none lost\n";
}

}  // namespace ferry
