// The executor loop over a backend and host of the test's own (the executor_host seam, issue
// 24 item 4): a general-mode synchronous caller is answered as soon as the reply is computed,
// even while the store refuses to record the outcome; the outcome is recorded once it takes
// writes again. A reply that links to later pages waits for them to be recorded.
#include "execute/executor_loop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "ferry/engine/execute/executor.hpp"
#include "ferry/engine/execute/reply.hpp"
#include "ferry/engine/model/process_loader.hpp"
#include "ferry/store/error.hpp"
#include "run/partner_connections.hpp"
#include "support/eventually.hpp"

namespace ferry::engine {
namespace {

using namespace std::chrono_literals;

constexpr auto echo_general = R"(name: echoGeneral
mode: general
listen: {type: execute, object: Echo, input: single_data, output: single_data}
steps:
  - message: {template: "{1}", variables: [current_data]}
  - return: {}
)";

// Three documents back, one per page: the reply links to two later pages.
constexpr auto paged_general = R"(name: pagedGeneral
mode: general
listen: {type: query, object: Paged, input: multiple_json, output: multiple_json, page_size: 1}
steps:
  - return: {}
)";

// Hands out the executions it was given, once, and records finishes only while `writable`.
class scripted_backend final : public execution_backend {
public:
    explicit scripted_backend(std::vector<claimed_execution> work) : work_(std::move(work)) {}

    std::atomic<bool> writable{false};
    std::atomic<int> refused{0};
    std::atomic<int> recorded{0};

    execution_lease claim(const claim_request&) override {
        std::lock_guard lock(mutex_);
        execution_lease lease;
        if (work_.empty()) return lease;
        lease.id = 1;
        lease.executions = std::move(work_);
        work_.clear();
        return lease;
    }
    bool extend(std::uint64_t, std::chrono::milliseconds) override { return true; }
    boost::system::result<finish_report> finish(std::span<const std::uint64_t>,
                                                std::span<const store::execution_record> records,
                                                execution_output&, const claim_request*) override {
        if (!writable) {
            ++refused;
            return store::errc::io_failure;
        }
        recorded += static_cast<int>(records.size());
        return finish_report{};
    }
    void release(std::uint64_t, std::chrono::milliseconds) override {}
    std::uint64_t on_new_work(std::function<void()>) override { return 1; }
    void stop_signalling(std::uint64_t) override {}
    void keep_answers(kept_answers&) override {}
    boost::system::result<std::uint64_t> reserve_sequence(std::string_view,
                                                          std::uint64_t) override {
        return 1;
    }
    void stop() override {}

private:
    std::mutex mutex_;
    std::vector<claimed_execution> work_;
};

// What went out, and when: `now` as computed, `recorded` after the round's write.
struct sent_replies {
    std::mutex mutex;
    std::vector<transport::frames> now;
    std::vector<transport::frames> recorded;

    std::size_t now_count() {
        std::lock_guard lock(mutex);
        return now.size();
    }
    std::size_t recorded_count() {
        std::lock_guard lock(mutex);
        return recorded.size();
    }
};

class recording_sink final : public reply_sink {
public:
    explicit recording_sink(sent_replies& sent) : sent_(sent) {}
    void send_early(transport::frames reply, kept_answers) override { send_now(std::move(reply)); }
    void send_now(transport::frames reply) override {
        std::lock_guard lock(sent_.mutex);
        sent_.now.push_back(std::move(reply));
    }
    void send_recorded(transport::frames reply) override {
        std::lock_guard lock(sent_.mutex);
        sent_.recorded.push_back(std::move(reply));
    }

private:
    sent_replies& sent_;
};

class test_host final : public executor_host {
public:
    test_host(execution_backend& backend, std::shared_ptr<const registry> processes)
        : backend_(backend), processes_(std::move(processes)) {
        settings_.stop_grace = 1s;
    }
    sent_replies sent;

    execution_backend& backend() override { return backend_; }
    const executor_settings& settings() const override { return settings_; }
    partner_limits& partners() override { return partners_; }
    std::shared_ptr<const lease_context> context_for(const execution_lease&) override {
        auto context = std::make_shared<lease_context>();
        context->host = std::make_shared<registry_host>(processes_);
        return context;
    }
    void count_finished(std::span<store::execution_record>) override {}
    std::unique_ptr<reply_sink> open_replies() override {
        return std::make_unique<recording_sink>(sent);
    }

private:
    execution_backend& backend_;
    std::shared_ptr<const registry> processes_;
    executor_settings settings_;
    partner_limits partners_;
};

claimed_execution sync_call(const std::string& process, const std::vector<std::string>& bodies) {
    claimed_execution c;
    c.seq = 1;  // stored (general mode), not in memory
    c.record.id = "e-" + process;
    c.record.process = process;
    c.record.reply_to = "caller-1";
    for (const auto& body : bodies) {
        c.record.document_ids.push_back(c.record.id + "-" + std::to_string(c.documents.size()));
        c.documents.push_back({body, {}});
    }
    return c;
}

class ExecutorLoopTest : public ::testing::Test {
protected:
    /// Runs a loop that is handed `work` once.
    void run_loop(std::vector<claimed_execution> work) {
        backend_ = std::make_unique<scripted_backend>(std::move(work));
        host_ = std::make_unique<test_host>(*backend_, processes_);
        loop_ = std::make_unique<executor_loop>(*host_, 0, 16);
        thread_ = std::jthread([this](const std::stop_token& stop) { loop_->run(stop); });
    }
    void TearDown() override {
        if (thread_.joinable()) {
            thread_.request_stop();
            loop_->signal();
            thread_.join();
        }
    }

    std::shared_ptr<const registry> processes_ =
        load_process_set({{"echo.yaml", echo_general}, {"paged.yaml", paged_general}});
    std::unique_ptr<scripted_backend> backend_;
    std::unique_ptr<test_host> host_;
    std::unique_ptr<executor_loop> loop_;
    std::jthread thread_;  // stopped in TearDown, before the members it uses go
};

}  // namespace

TEST_F(ExecutorLoopTest, AGeneralModeCallerIsAnsweredBeforeTheOutcomeIsRecorded) {
    run_loop({sync_call("echoGeneral", {"hello"})});
    auto& backend = *backend_;
    auto& host = *host_;

    ASSERT_TRUE(test::eventually([&] { return host.sent.now_count() == 1; }, 10s));
    EXPECT_EQ(backend.recorded, 0) << "answered while the store refuses the outcome";
    ASSERT_TRUE(test::eventually([&] { return backend.refused >= 1; }, 10s));
    const auto reply = decode_sync_reply(host.sent.now.front());
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->reply_to, "caller-1");
    EXPECT_EQ(reply->answer.status, 200u);
    EXPECT_EQ(reply->answer.body, "hello");

    backend.writable = true;  // the store takes writes again: the outcome is recorded, once
    ASSERT_TRUE(test::eventually([&] { return backend.recorded == 1; }, 10s));
    EXPECT_EQ(host.sent.now_count(), 1u);
    EXPECT_EQ(host.sent.recorded_count(), 0u) << "the caller is not answered twice";
}

TEST_F(ExecutorLoopTest, AReplyThatLinksToLaterPagesWaitsForThemToBeRecorded) {
    run_loop({sync_call("pagedGeneral", {"1", "2", "3"})});
    auto& backend = *backend_;
    auto& host = *host_;

    ASSERT_TRUE(test::eventually([&] { return backend.refused >= 2; }, 10s));
    EXPECT_EQ(host.sent.now_count(), 0u);
    EXPECT_EQ(host.sent.recorded_count(), 0u) << "its pages are not written yet";

    backend.writable = true;
    ASSERT_TRUE(test::eventually([&] { return host.sent.recorded_count() == 1; }, 10s));
    EXPECT_EQ(host.sent.now_count(), 0u);
    const auto reply = decode_sync_reply(host.sent.recorded.front());
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->answer.status, 200u);
    EXPECT_NE(reply->answer.body.find('1'), std::string::npos) << reply->answer.body;
}

}  // namespace ferry::engine
