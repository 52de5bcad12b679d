#pragma once

#include <pthread.h>

#include <cstddef>
#include <stop_token>
#include <thread>
#include <utility>
#include <vector>

namespace ferry::threads {

/// Owns one long-lived thread of a component: started with a name (top -H, /proc/PID/task),
/// asked to stop through its std::stop_token, joined by stop() or on destruction. The body
/// takes the token and either polls stop_requested() or waits with
/// std::condition_variable_any::wait(lock, token, predicate), which a stop request wakes.
/// Concurrency: start() and stop() belong to the owner's thread; never call stop() from the body.
class service_thread {
public:
    service_thread() = default;
    ~service_thread() { stop(); }
    service_thread(const service_thread&) = delete;
    service_thread& operator=(const service_thread&) = delete;

    /// Runs `body(std::stop_token)` on a new thread called `name` (15 characters at most).
    template <typename Body>
    void start(const char* name, Body body) {
        thread_ = std::jthread([name, body = std::move(body)](std::stop_token stop) mutable {
            pthread_setname_np(pthread_self(), name);
            body(std::move(stop));
        });
    }
    /// Asks the body to stop, without waiting (to ask several threads before joining any).
    void request_stop() { thread_.request_stop(); }
    /// Asks the body to stop and waits until it returned; nothing when not running.
    void stop() {
        if (!thread_.joinable()) return;
        thread_.request_stop();
        thread_.join();
    }
    bool running() const { return thread_.joinable(); }

private:
    std::jthread thread_;
};

/// Several threads running one body (executors, I/O threads), each told its index: started
/// together, asked to stop together, then joined.
class service_threads {
public:
    service_threads() = default;
    ~service_threads() { stop(); }
    service_threads(const service_threads&) = delete;
    service_threads& operator=(const service_threads&) = delete;

    /// Runs `body(index, std::stop_token)` on `count` new threads called `name`.
    template <typename Body>
    void start(std::size_t count, const char* name, Body body) {
        for (std::size_t i = 0; i < count; ++i) {
            threads_.emplace_back([name, i, body](std::stop_token stop) mutable {
                pthread_setname_np(pthread_self(), name);
                body(i, std::move(stop));
            });
        }
    }
    void request_stop() {
        for (auto& t : threads_) t.request_stop();
    }
    /// Asks every thread to stop, then joins them all.
    void stop() {
        request_stop();
        for (auto& t : threads_) {
            if (t.joinable()) t.join();
        }
        threads_.clear();
    }
    std::size_t size() const { return threads_.size(); }

private:
    std::vector<std::jthread> threads_;
};

}  // namespace ferry::threads
