// ferry-partner-stub: an HTTP partner for tools/bench that answers every request after a fixed
// delay (default 50 ms), keeping connections alive. It stands for a slow partner system an
// http_call step talks to; it is not a peer under test.
// GET /count answers at once with the number of other requests answered so far (the bench
// counts a peer's calls with it).
// Usage: ferry-partner-stub --port N [--delay-ms 50]
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::atomic<std::uint64_t> answered{0};  // one I/O thread; atomic for clarity only

asio::awaitable<void> serve(tcp::socket socket, std::chrono::milliseconds delay) {
    boost::beast::flat_buffer buffer;
    asio::steady_timer timer(socket.get_executor());
    try {
        for (;;) {
            http::request<http::string_body> request;
            co_await http::async_read(socket, buffer, request, asio::use_awaitable);
            http::response<http::string_body> response(http::status::ok, request.version());
            if (request.method() == http::verb::get && request.target() == "/count") {
                response.set(http::field::content_type, "text/plain");
                response.body() = std::to_string(answered.load());
            } else {
                timer.expires_after(delay);
                co_await timer.async_wait(asio::use_awaitable);
                response.set(http::field::content_type, "application/json");
                response.body() = R"({"ok":true})";
                ++answered;
            }
            response.keep_alive(request.keep_alive());
            response.prepare_payload();
            co_await http::async_write(socket, response, asio::use_awaitable);
            if (!request.keep_alive()) break;
        }
    } catch (const std::exception&) {
        // The client closed the connection.
    }
}

asio::awaitable<void> accept(tcp::acceptor acceptor, std::chrono::milliseconds delay) {
    for (;;) {
        auto socket = co_await acceptor.async_accept(asio::use_awaitable);
        asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), delay), asio::detached);
    }
}

}  // namespace

int main(int argc, char** argv) {
    unsigned short port = 0;
    long delay_ms = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view option = argv[i];
        if (option == "--port") {
            port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
        } else if (option == "--delay-ms") {
            delay_ms = std::atol(argv[i + 1]);
        } else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (port == 0) {
        std::fprintf(stderr, "usage: ferry-partner-stub --port N [--delay-ms 50]\n");
        return 2;
    }
    asio::io_context ctx(1);
    tcp::acceptor acceptor(ctx, {asio::ip::make_address("127.0.0.1"), port});
    acceptor.listen(4096);
    asio::co_spawn(ctx, accept(std::move(acceptor), std::chrono::milliseconds(delay_ms)),
                   asio::detached);
    asio::signal_set stop(ctx, SIGINT, SIGTERM);
    stop.async_wait([&](auto, int) { ctx.stop(); });
    ctx.run();
    return 0;
}
