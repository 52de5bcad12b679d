#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <chrono>

#include "ferry/engine/ascii_case.hpp"
#include "ferry/engine/run/http_client.hpp"
#include "run/counted_wait.hpp"
#include "run/steps.hpp"

namespace ferry::engine {
namespace {

// The call, with the run counted as waiting meanwhile. `req` is the caller's named local.
boost::asio::awaitable<http_result> fetch_counted(const http_request& req,
                                                  const run_settings& settings) {
    const counted_wait waiting(settings.waiting);
    co_return co_await http_fetch(req, settings.partners);
}

bool worth_retrying(unsigned status) { return status == 429 || status >= 500; }

// A partner that answers 429 or 503 may say when to come back (Retry-After in seconds; an
// HTTP date is not read). Honoured up to a minute: the pause holds no thread, but a process
// should not wait on one partner for hours.
std::chrono::milliseconds asked_pause(const http_response& res) {
    if (res.status != 429 && res.status != 503) return std::chrono::milliseconds(0);
    for (const auto& [name, value] : res.headers) {
        if (!equals_ignoring_case(name, "Retry-After")) continue;
        std::uint32_t seconds = 0;
        const auto* end = value.data() + value.size();
        if (std::from_chars(value.data(), end, seconds).ptr != end) break;
        return std::chrono::seconds(std::min<std::uint32_t>(seconds, 60));
    }
    return std::chrono::milliseconds(0);
}

std::string describe(const http_response& res) {
    std::string out = std::to_string(res.status);
    if (!res.reason.empty()) out += " " + res.reason;
    if (!res.body.empty()) {
        out += ": " + res.body.substr(0, 200);
        if (res.body.size() > 200) out += "...";
    }
    return out;
}

}  // namespace

boost::asio::awaitable<step_output> run_step(const http_call_step& step,
                                             std::vector<working_document> in, step_context& ctx) {
    step_output out;
    for (auto& d : in) {
        http_request req;
        req.method = step.method;
        auto url = render(step.url, d, ctx);
        if (!url) {
            out.failed.emplace_back(std::move(d), "http_call: " + url.error());
            continue;
        }
        req.url = std::move(*url);
        std::string header_error;
        for (const auto& [name, value] : step.headers) {
            auto rendered = render(value, d, ctx);
            if (!rendered) {
                header_error = "http_call: header " + name + ": " + rendered.error();
                break;
            }
            req.headers.emplace_back(name, std::move(*rendered));
        }
        if (!header_error.empty()) {
            out.failed.emplace_back(std::move(d), std::move(header_error));
            continue;
        }
        if (step.send_body) {
            req.has_body = true;
            req.body = d.doc.data;
            req.headers.emplace_back("Content-Type", step.content_type);
        }
        req.timeout = std::chrono::milliseconds(step.timeout_ms);
        req.ca_file = step.ca_file;
        req.verify_tls = step.verify_tls;
        req.max_response_bytes = step.max_response_bytes;
        req.max_connections = step.max_connections;

        std::string error;
        std::optional<http_response> answer;
        for (std::uint32_t attempt = 0;; ++attempt) {
            auto res = co_await fetch_counted(req, ctx.settings);
            const bool retry = !res || worth_retrying(res->status);
            if (res) {
                answer = std::move(*res);
            } else {
                answer.reset();
                error = res.error();
            }
            if (!retry || attempt >= step.retries) break;
            // The pause holds no thread: the run is suspended on a timer.
            const auto backoff =
                std::chrono::milliseconds(static_cast<std::uint64_t>(step.backoff_ms)
                                          << std::min<std::uint32_t>(attempt, 10));
            boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor);
            pause.expires_after(answer ? std::max(backoff, asked_pause(*answer)) : backoff);
            const counted_wait waiting(ctx.settings.waiting);
            co_await pause.async_wait(boost::asio::use_awaitable);
        }
        const auto tries = step.retries > 0
                               ? " (after " + std::to_string(step.retries + 1) + " attempts)"
                               : std::string();
        if (!answer) {
            out.failed.emplace_back(std::move(d), "http_call: " + req.method + " " + req.url +
                                                      " failed: " + error + tries);
            continue;
        }
        const bool success = answer->status >= 200 && answer->status < 300;
        if (!success && step.fail_on_status) {
            out.failed.emplace_back(std::move(d),
                                    "http_call: " + req.method + " " + req.url + " answered " +
                                        describe(*answer) +
                                        (worth_retrying(answer->status) ? tries : ""));
            continue;
        }
        d.doc.data = std::move(answer->body);
        d.doc.props["http_status"] = std::to_string(answer->status);
        for (const auto& [name, value] : answer->headers) {
            if (equals_ignoring_case(name, "Content-Type"))
                d.doc.props["http_content_type"] = value;
        }
        out.passed.push_back(std::move(d));
    }
    co_return out;
}

}  // namespace ferry::engine
