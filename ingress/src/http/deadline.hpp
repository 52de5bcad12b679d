#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace ferry::ingress {

/// Cancels the socket's pending operation when a phase (idle, header, body, write) overruns,
/// without closing it, so that a 408 can still be written.
///
/// Re-arming an Asio timer per phase costs a cancel, a handler and often a timerfd syscall, four
/// times per request. Instead the timer stays armed at some expiry; a phase only moves the
/// deadline, and the timer is re-armed only when a deadline comes *before* the armed expiry.
/// When the timer fires early (the deadline moved later), it re-arms for the deadline.
class deadline {
public:
    using clock = std::chrono::steady_clock;

    explicit deadline(boost::asio::ip::tcp::socket& socket)
        : socket_(socket), timer_(socket.get_executor()) {}
    ~deadline() { *alive_ = false; }

    void arm(std::chrono::milliseconds limit) {
        deadline_ = clock::now() + limit;
        active_ = true;
        expired_ = false;
        if (!armed_ || deadline_ < expiry_) start(deadline_);
    }
    void disarm() { active_ = false; }
    bool expired() const { return expired_; }

private:
    void start(clock::time_point at) {
        armed_ = true;
        expiry_ = at;
        timer_.expires_at(at);
        timer_.async_wait([this, alive = alive_, at](boost::system::error_code ec) {
            if (ec || !*alive || at != expiry_) return;  // cancelled, gone, or superseded
            armed_ = false;
            if (!active_) return;
            if (clock::now() < deadline_) {
                start(deadline_);
                return;
            }
            expired_ = true;
            boost::system::error_code ignored;
            socket_.cancel(ignored);
        });
    }

    boost::asio::ip::tcp::socket& socket_;
    boost::asio::steady_timer timer_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    clock::time_point deadline_{};
    clock::time_point expiry_{};
    bool armed_ = false;
    bool active_ = false;
    bool expired_ = false;
};

}  // namespace ferry::ingress
