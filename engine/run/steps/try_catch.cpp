#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <set>

#include "run/counted_wait.hpp"
#include "run/run_state.hpp"

namespace ferry::engine {
namespace {

const document_failure* first_failure_of(const std::vector<document_failure>& failures,
                                         std::uint32_t tag) {
    for (const auto& f : failures) {
        if (std::find(f.document.lineage.begin(), f.document.lineage.end(), tag) !=
            f.document.lineage.end()) {
            return &f;
        }
    }
    return &failures.front();
}

// Runs the try path, again for the documents that failed (up to `retries` times, with a
// doubling pause, which holds no thread), then sends those that still fail down the catch path.
boost::asio::awaitable<void> run_attempts(const try_catch_step& t, std::vector<working_document> in,
                                          run_state& run) {
    auto attempt = std::move(in);
    for (std::uint32_t round = 0;; ++round) {
        const auto tags = run.tag(attempt);
        auto failures = co_await run.run_path_catching(t.try_steps, attempt);
        if (t.catch_all) {
            // An execution-level error inside the try: every document of this attempt is
            // treated as failed with it.
            if (auto failed = run.take_execution_failure()) {
                for (auto& d : attempt) failures.push_back({failed->first, failed->second, d});
            }
        }
        if (run.halted()) co_return;
        std::set<std::uint32_t> failed_tags;
        for (const auto& f : failures) {
            for (const auto tag : f.document.lineage) {
                if (tag >= tags.first && tag < tags.second) failed_tags.insert(tag);
            }
        }
        // The original of every document that failed, with its first failure.
        std::vector<working_document> again;
        std::vector<const document_failure*> first_failures;
        for (auto& d : attempt) {
            const auto tag = d.lineage.back();
            if (!failed_tags.contains(tag)) continue;
            first_failures.push_back(first_failure_of(failures, tag));
            d.lineage.pop_back();
            again.push_back(std::move(d));
        }
        if (again.empty()) co_return;
        if (round >= t.retries) {
            // Out of retries: the originals go to the catch path with the error of their
            // first failure as document properties.
            for (std::size_t i = 0; i < again.size(); ++i) {
                again[i].doc.props["try_error"] = first_failures[i]->error;
                again[i].doc.props["try_step"] = first_failures[i]->step;
            }
            co_await run.run_path(t.catch_steps, std::move(again));
            co_return;
        }
        boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor);
        pause.expires_after(std::chrono::milliseconds(static_cast<std::uint64_t>(t.backoff_ms)
                                                      << std::min<std::uint32_t>(round, 10)));
        const counted_wait waiting(run.context().settings.waiting);
        co_await pause.async_wait(boost::asio::use_awaitable);
        attempt = std::move(again);
    }
}

}  // namespace

// Failures inside the try path are caught here instead of failing the execution.
boost::asio::awaitable<void> run_step(const try_catch_step& step, std::vector<working_document> in,
                                      step_run& call) {
    auto& run = call.run;
    call.out = static_cast<std::uint32_t>(in.size());
    run.watch(step.try_steps);
    run.watch(step.catch_steps);
    co_await run_attempts(step, std::move(in), run);
    run.finished(step.try_steps);
    run.finished(step.catch_steps);
}

}  // namespace ferry::engine
