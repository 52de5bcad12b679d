// A full disk (issue "Foundation": no acknowledged document is lost on disk full): the store's
// directory is a small tmpfs that fills under load. Posts past that point are refused with 507
// while the server stays up and answers reads; once the filesystem grows, it takes posts
// again without a restart, and every acknowledged document is executed exactly once.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/recording.hpp"
#include "support/server_process.hpp"

namespace ferry {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A 16 MB tmpfs mounted on a directory for the life of the object; grow() makes it 512 MB.
class small_filesystem {
public:
    explicit small_filesystem(std::filesystem::path at) : at_(std::move(at)) {
        if (::mount("tmpfs", at_.c_str(), "tmpfs", 0, "size=16m") != 0) error_ = errno;
    }
    ~small_filesystem() {
        if (error_ == 0) ::umount2(at_.c_str(), MNT_DETACH);
    }
    small_filesystem(const small_filesystem&) = delete;
    small_filesystem& operator=(const small_filesystem&) = delete;

    int error() const { return error_; }
    bool grow() const {
        return ::mount("tmpfs", at_.c_str(), "tmpfs", MS_REMOUNT, "size=512m") == 0;
    }

private:
    std::filesystem::path at_;
    int error_ = 0;
};

std::string state_of(test::http_session& session, const std::string& id) {
    const auto res = session.request("GET", "/_admin/executions/" + id);
    if (res.status != 200) return "http " + std::to_string(res.status);
    return std::string(boost::json::parse(res.body).at("state").as_string());
}

}  // namespace

class DiskFullTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("record.yaml", test::recording_process);
        disk_ = std::make_unique<small_filesystem>(data_.path());
        if (disk_->error() != 0) {
            GTEST_SKIP() << "cannot mount a small tmpfs here (needs CAP_SYS_ADMIN): "
                         << std::strerror(disk_->error());
        }
        // The process's witness file lives on the big disk: the store alone fills up.
        std::filesystem::create_directory_symlink(files_.path(), data_.path() / "files");
    }

    // 16 keep-alive clients post 4 documents of 2 KB each until the store has refused 200
    // posts (or 60 s pass). Every answer is a 202 or a 507: any other means the server failed.
    void load_until_full(std::uint16_t port) {
        asio::io_context io;
        const std::string pad(2000, 'x');
        for (int c = 0; c < 16; ++c) {
            asio::co_spawn(
                io,
                [&, c]() -> asio::awaitable<void> {
                    test::async_http_session session(co_await asio::this_coro::executor, port);
                    const auto started = std::chrono::steady_clock::now();
                    for (int i = 0; refused_ < 200; ++i) {
                        if (std::chrono::steady_clock::now() - started > 60s) co_return;
                        std::string body = "[";
                        for (int d = 0; d < 4; ++d) {
                            body += (d ? ",{" : "{");
                            body += "\"c\":" + std::to_string(c) + ",\"i\":" + std::to_string(i) +
                                    ",\"pad\":\"" + pad + "\"}";
                        }
                        body += "]";
                        const auto res =
                            co_await session.request("POST", "/ws/simple/createEvent", body);
                        if (res.status == 202) {
                            const auto receipt = boost::json::parse(res.body).as_object();
                            executions_.emplace_back(receipt.at("execution_id").as_string());
                            for (const auto& id : receipt.at("documents").as_array()) {
                                acked_.emplace_back(id.as_string());
                            }
                        } else if (res.status == 507) {
                            ++refused_;
                            refusal_ = res.body;
                        } else {
                            unexpected_.push_back(std::to_string(res.status) + " " + res.body);
                            co_return;
                        }
                    }
                },
                asio::detached);
        }
        io.run();
    }

    // Waits up to 60 s for each acknowledged execution to succeed; the first that did not,
    // with its state, or "".
    std::string first_unfinished(test::http_session& session) const {
        for (const auto& id : executions_) {
            std::string state;
            test::eventually([&] { return (state = state_of(session, id)) == "succeeded"; }, 60s,
                             50ms);
            if (state != "succeeded") return id + " is " + state;
        }
        return "";
    }

    // Loads `server` until its disk is full, checks what it answers then, gives the disk room
    // and waits until it takes posts again and every acknowledged execution has succeeded.
    void fill_then_free_space(test::server_process& server) {
        load_until_full(server.port());
        ASSERT_TRUE(unexpected_.empty()) << unexpected_.front() << "\n" << server.log();
        ASSERT_GE(refused_, 200) << "the disk never filled";
        ASSERT_GT(acked_.size(), 0u);
        const auto refusal = boost::json::parse(refusal_).as_object();
        EXPECT_EQ(refusal.at("error").as_string(), "storage_unavailable") << refusal_;

        // Still up and answering reads while the disk is full.
        test::http_session session(server.port());
        const auto status = session.request("GET", "/_admin/status");
        EXPECT_EQ(status.status, 200);
        EXPECT_NE(status.body.find(R"("store":"refusing_writes")"), std::string::npos)
            << status.body;
        EXPECT_EQ(session.request("GET", "/_admin/executions/" + executions_.front()).status, 200);
        // Operators see it: the metric, and the console's overview with its alert.
        EXPECT_NE(session.request("GET", "/metrics").body.find("ferry_store_refusing_writes 1\n"),
                  std::string::npos);
        const auto overview = session.request("GET", "/_console/");
        EXPECT_NE(overview.body.find("writes refused"), std::string::npos);
        EXPECT_NE(overview.body.find("The store refuses writes"), std::string::npos);

        // Space comes back (an operator freed some): posts are taken again, no restart.
        ASSERT_TRUE(disk_->grow()) << std::strerror(errno);
        test::http_reply again;
        test::eventually(
            [&] {
                again = session.request("POST", "/ws/simple/createEvent", R"([{"after":"full"}])");
                return again.status == 202;
            },
            60s, 200ms);
        ASSERT_EQ(again.status, 202) << again.body << "\n" << server.log();
        EXPECT_NE(session.request("GET", "/metrics").body.find("ferry_store_refusing_writes 0\n"),
                  std::string::npos);
        EXPECT_NE(session.request("GET", "/_admin/status").body.find(R"("store":"ok")"),
                  std::string::npos);
        const auto receipt = boost::json::parse(again.body).as_object();
        executions_.emplace_back(receipt.at("execution_id").as_string());
        acked_.emplace_back(receipt.at("documents").as_array().at(0).as_string());

        // Executions that ran while their outcome could not be written are recorded once the
        // store takes writes again, without running twice.
        ASSERT_EQ(first_unfinished(session), "") << server.log();
    }

    // After kill -9 and a restart (local executors) every acknowledged execution is there and
    // finished, and each acknowledged document was executed once, here or by a worker whose
    // data directory is `worker_data`.
    void expect_each_executed_once_after_a_restart(const std::filesystem::path& worker_data = {}) {
        test::server_process server(processes_.str(), data_.str());
        test::http_session session(server.port());
        for (const auto& id : executions_) EXPECT_EQ(state_of(session, id), "succeeded") << id;
        std::this_thread::sleep_for(300ms);  // anything wrongly pending would run again now
        auto seen = test::executed_documents(data_.path());
        if (!worker_data.empty()) {
            for (const auto& [id, n] : test::executed_documents(worker_data)) seen[id] += n;
        }
        std::size_t missing = 0;
        std::size_t repeated = 0;
        for (const auto& id : acked_) {
            const auto it = seen.find(id);
            missing += it == seen.end() ? 1 : 0;
            repeated += it != seen.end() && it->second > 1 ? 1 : 0;
        }
        EXPECT_EQ(missing, 0u) << "of " << acked_.size() << " acknowledged documents";
        EXPECT_EQ(repeated, 0u) << "of " << acked_.size() << " acknowledged documents";
        std::cout << "[ disk full] " << executions_.size() << " acknowledged executions, "
                  << refused_ << " posts refused with 507 while full, all executed once\n";
    }

    test::temp_dir processes_;
    test::temp_dir workers_;
    test::temp_dir files_;
    test::temp_dir data_;
    std::unique_ptr<small_filesystem> disk_;  // unmounted before data_ is removed
    std::vector<std::string> acked_;
    std::vector<std::string> executions_;
    std::vector<std::string> unexpected_;
    int refused_ = 0;
    std::string refusal_;
};

TEST_F(DiskFullTest, AcknowledgedDocumentsSurviveAFullDiskAndServingResumes) {
    {
        test::server_process server(processes_.str(), data_.str());
        fill_then_free_space(server);
        if (HasFatalFailure()) return;
        server.kill9();
    }
    expect_each_executed_once_after_a_restart();
}

// The same with the executions run by a `ferry worker` process: the results it sends back
// while the disk is full are kept by the serving process and recorded once it can write, and
// no more work goes out meanwhile.
TEST_F(DiskFullTest, RemoteWorkersResultsWaitForTheStore) {
    const auto endpoint = "tcp://127.0.0.1:" + std::to_string(test::free_port());
    {
        test::server_process server(processes_.str(), data_.str(),
                                    {"--executors", "0", "--worker-endpoint", endpoint});
        auto worker = test::server_process::worker(endpoint, workers_.str() + "/w");
        fill_then_free_space(server);
        if (HasFatalFailure()) return;
        worker->kill9();
        server.kill9();
    }
    expect_each_executed_once_after_a_restart(workers_.path() / "w");
}

// Killed while the disk is full, and started again before there is space (it may refuse to
// start: RocksDB cannot open without writing), then once there is: nothing acknowledged is
// lost, and what had not finished runs.
TEST_F(DiskFullTest, KilledWhileFullThenRestartedLosesNothing) {
    {
        test::server_process server(processes_.str(), data_.str());
        load_until_full(server.port());
        ASSERT_TRUE(unexpected_.empty()) << unexpected_.front() << "\n" << server.log();
        ASSERT_GE(refused_, 200) << "the disk never filled";
        server.kill9();
    }
    try {
        test::server_process still_full(processes_.str(), data_.str());
        EXPECT_EQ(still_full.stop(), 0);
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open the data directory"), std::string::npos)
            << e.what();
    }
    ASSERT_TRUE(disk_->grow()) << std::strerror(errno);
    test::server_process server(processes_.str(), data_.str());
    test::http_session session(server.port());
    EXPECT_EQ(first_unfinished(session), "") << server.log();
    const auto seen = test::executed_documents(data_.path());
    std::size_t missing = 0;
    for (const auto& id : acked_) missing += seen.contains(id) ? 0 : 1;
    EXPECT_EQ(missing, 0u) << "of " << acked_.size() << " acknowledged documents";
}

}  // namespace ferry
