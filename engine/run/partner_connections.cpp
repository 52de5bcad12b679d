#include "run/partner_connections.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ferry::engine {

namespace asio = boost::asio;

std::string partner_address::name() const {
    return (tls ? "https://" : "http://") + host + ":" + port;
}

std::string partner_address::key() const {
    return name() + (tls ? "|" + ca_file + (verify_tls ? "|verify" : "|no-verify") : "");
}

partner_connection::~partner_connection() {
    if (!secure) return;
    SSL* ssl = secure->native_handle();
    SSL_set_quiet_shutdown(ssl, 1);
    (void)SSL_shutdown(ssl);
}

boost::beast::tcp_stream& partner_connection::tcp() {
    return secure ? boost::beast::get_lowest_layer(*secure) : *plain;
}

// A call waiting for its place: the call that ends hands its place over and ends the wait.
struct partner_limits::waiter {
    std::size_t max = 0;
    bool granted = false;  // with the mutex: the place is this waiter's
    std::optional<asio::steady_timer> timer;
};

partner_limits::slot& partner_limits::slot::operator=(slot&& other) noexcept {
    if (this != &other) {
        if (limits_) limits_->leave(partner_);
        limits_ = std::exchange(other.limits_, nullptr);
        partner_ = std::move(other.partner_);
    }
    return *this;
}

partner_limits::slot::~slot() {
    if (limits_) limits_->leave(partner_);
}

// `partner` by value: the coroutine keeps its own copy across the wait.
asio::awaitable<partner_limits::slot> partner_limits::enter(std::string partner, std::size_t max) {
    const auto executor = co_await asio::this_coro::executor;
    auto w = std::make_shared<waiter>();
    {
        std::lock_guard lock(mutex_);
        auto& p = partners_[partner];
        if (p.in_flight < max && p.waiting.empty()) {
            ++p.in_flight;
            co_return slot(this, partner);
        }
        w->max = std::max<std::size_t>(1, max);
        w->timer.emplace(executor, asio::steady_timer::time_point::max());
        p.waiting.push_back(w);
    }
    // A wait abandoned (its executor loop stopped) withdraws, or passes on a place it was
    // given meanwhile.
    struct withdraw_on_exit {
        partner_limits& limits;
        const std::string& partner;
        const std::shared_ptr<waiter>& w;
        bool entered = false;
        ~withdraw_on_exit() {
            if (entered) return;
            bool granted = false;
            {
                std::lock_guard lock(limits.mutex_);
                granted = w->granted;
                if (!granted) std::erase(limits.partners_[partner].waiting, w);
            }
            if (granted) limits.leave(partner);
        }
    } guard{*this, partner, w};
    (void)co_await w->timer->async_wait(asio::as_tuple(asio::use_awaitable));
    guard.entered = true;
    co_return slot(this, partner);
}

void partner_limits::leave(const std::string& partner) {
    std::shared_ptr<waiter> next;
    {
        std::lock_guard lock(mutex_);
        auto& p = partners_[partner];
        --p.in_flight;
        // First come, first served: the oldest waiting call takes the place once it fits.
        if (!p.waiting.empty() && p.in_flight < p.waiting.front()->max) {
            next = std::move(p.waiting.front());
            p.waiting.pop_front();
            next->granted = true;
            ++p.in_flight;
        } else if (p.in_flight == 0 && p.waiting.empty()) {
            partners_.erase(partner);
        }
    }
    // The timer belongs to the waiter's thread: its wait is ended there.
    if (next) asio::post(next->timer->get_executor(), [next] { next->timer->cancel(); });
}

std::map<std::string, std::size_t> partner_limits::in_flight() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, std::size_t> out;
    for (const auto& [partner, state] : partners_) out[partner] = state.in_flight;
    return out;
}

partner_pool::~partner_pool() {
    for (auto& [key, session] : sessions_) SSL_SESSION_free(session);
}

std::unique_ptr<partner_connection> partner_pool::take_idle(const partner_address& to) {
    const auto it = idle_.find(to.key());
    if (it == idle_.end()) return nullptr;
    auto& kept = it->second;
    const auto now = std::chrono::steady_clock::now();
    while (!kept.empty()) {
        auto connection = std::move(kept.back());
        kept.pop_back();
        if (now - connection->idle_since < keep_idle) return connection;
    }
    return nullptr;
}

void partner_pool::keep(const partner_address& to, std::unique_ptr<partner_connection> connection) {
    auto& kept = idle_[to.key()];
    // The longest idle are the likeliest to have been closed by the partner: they go first.
    if (kept.size() >= max_idle) kept.erase(kept.begin());
    connection->idle_since = std::chrono::steady_clock::now();
    kept.push_back(std::move(connection));
}

SSL_SESSION* partner_pool::session(const partner_address& to) const {
    const auto it = sessions_.find(to.key());
    return it == sessions_.end() ? nullptr : it->second;
}

void partner_pool::remember_session(const partner_address& to, SSL* ssl) {
    SSL_SESSION* fresh = SSL_get1_session(ssl);
    if (!fresh) return;
    auto& slot = sessions_[to.key()];
    if (slot) SSL_SESSION_free(slot);
    slot = fresh;
}

}  // namespace ferry::engine
