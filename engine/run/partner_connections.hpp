#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ferry::engine {

/// Where a call goes: scheme, host and port, with the TLS trust it asks for (connections
/// opened under other trust settings are never shared).
struct partner_address {
    bool tls = false;
    std::string host;
    std::string port;
    std::string ca_file;
    bool verify_tls = true;

    /// "http://host:port" (the partner, as metrics name it).
    std::string name() const;
    /// name() and the trust settings: what a kept connection may be reused for.
    std::string key() const;
};

/// An open connection to a partner, plain or TLS.
struct partner_connection {
    std::optional<boost::beast::tcp_stream> plain;
    std::optional<boost::asio::ssl::stream<boost::beast::tcp_stream>> secure;
    std::chrono::steady_clock::time_point idle_since{};
    std::uint64_t exchanges = 0;  // requests answered over it

    partner_connection() = default;
    partner_connection(const partner_connection&) = delete;
    partner_connection& operator=(const partner_connection&) = delete;
    /// A TLS connection ends without close_notify (partners rarely answer one; HTTP needs no
    /// end-of-data marker), marked shut down so that OpenSSL keeps its session resumable.
    ~partner_connection();

    boost::beast::tcp_stream& tcp();
};

/// The bound on calls in flight per partner, shared by every executor thread: a call past it
/// waits (without a thread) for one to end. Thread-safe.
class partner_limits {
public:
    /// A call's place in the partner's bound, given back when destroyed.
    class slot {
    public:
        slot() = default;
        slot(partner_limits* limits, std::string partner)
            : limits_(limits), partner_(std::move(partner)) {}
        slot(slot&& other) noexcept
            : limits_(std::exchange(other.limits_, nullptr)), partner_(std::move(other.partner_)) {}
        slot& operator=(slot&& other) noexcept;
        ~slot();

    private:
        partner_limits* limits_ = nullptr;
        std::string partner_;
    };

    /// Waits until fewer than `max` calls to `partner` are in flight, and takes a place.
    boost::asio::awaitable<slot> enter(std::string partner, std::size_t max);
    /// Calls in flight per partner (metrics).
    std::map<std::string, std::size_t> in_flight() const;

private:
    struct waiter;
    struct partner_state {
        std::size_t in_flight = 0;
        std::deque<std::shared_ptr<waiter>> waiting;
    };
    void leave(const std::string& partner);

    mutable std::mutex mutex_;
    std::map<std::string, partner_state> partners_;
};

/// The kept-alive connections of one executor thread (a connection belongs to the io_context
/// it was opened on) and the TLS sessions it resumes, with the shared bound per partner.
/// Not thread-safe: its thread only.
class partner_pool {
public:
    struct stats {
        std::uint64_t opened = 0;   // connections opened
        std::uint64_t reused = 0;   // calls made over a kept connection
        std::uint64_t resumed = 0;  // TLS handshakes that resumed a session
    };

    explicit partner_pool(partner_limits& limits) : limits_(limits) {}
    ~partner_pool();
    partner_pool(const partner_pool&) = delete;
    partner_pool& operator=(const partner_pool&) = delete;

    partner_limits& limits() { return limits_; }
    /// Closes every kept connection (before the io_context they belong to goes).
    void close_idle() { idle_.clear(); }
    /// A kept connection to `to`, idle for less than the keep time; null when there is none.
    std::unique_ptr<partner_connection> take_idle(const partner_address& to);
    /// Keeps a connection whose last exchange ended cleanly, for the next call to `to`.
    void keep(const partner_address& to, std::unique_ptr<partner_connection> connection);
    /// The TLS session to resume with `to` (null: none yet); the pool keeps its reference.
    SSL_SESSION* session(const partner_address& to) const;
    /// Remembers the session of a connection that completed its handshake.
    void remember_session(const partner_address& to, SSL* ssl);

    /// Thread-safe (metrics read it from other threads).
    stats counts() const {
        return {opened_.load(std::memory_order_relaxed), reused_.load(std::memory_order_relaxed),
                resumed_.load(std::memory_order_relaxed)};
    }
    void count_opened(bool resumed) {
        opened_.fetch_add(1, std::memory_order_relaxed);
        if (resumed) resumed_.fetch_add(1, std::memory_order_relaxed);
    }
    void count_reused() { reused_.fetch_add(1, std::memory_order_relaxed); }

    /// How long an idle connection is kept (partners commonly close theirs after 60 s or more).
    static constexpr std::chrono::seconds keep_idle{30};
    /// Idle connections kept per partner.
    static constexpr std::size_t max_idle = 64;

private:
    partner_limits& limits_;
    std::map<std::string, std::vector<std::unique_ptr<partner_connection>>> idle_;
    std::map<std::string, SSL_SESSION*> sessions_;
    std::atomic<std::uint64_t> opened_{0};
    std::atomic<std::uint64_t> reused_{0};
    std::atomic<std::uint64_t> resumed_{0};
};

}  // namespace ferry::engine
