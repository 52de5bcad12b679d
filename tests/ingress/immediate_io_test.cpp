// A connection parses what it has already received and writes its answer at once, going
// through the event loop only when it must wait (connection.cpp): requests that arrive in
// pieces, several requests in one packet, and an answer larger than the socket takes at once.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <set>
#include <thread>

#include "ingress/server_fixture.hpp"
#include "support/http_client.hpp"

namespace ferry::ingress {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string order_post(const std::string& body, bool close = false) {
    return "POST /ws/simple/createOrder HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
           std::string(close ? "Connection: close\r\n" : "") +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Reads one response (status line, headers, Content-Length body) from a blocking socket.
struct raw_response {
    std::string head;
    std::string body;
};
raw_response read_response(tcp::socket& s, asio::streambuf& in) {
    const auto head_end = asio::read_until(s, in, "\r\n\r\n");
    raw_response r;
    r.head.assign(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + head_end);
    in.consume(head_end);
    const auto at = r.head.find("Content-Length: ");
    const std::size_t length = at == std::string::npos ? 0 : std::stoul(r.head.substr(at + 16));
    if (in.size() < length) asio::read(s, in, asio::transfer_exactly(length - in.size()));
    r.body.assign(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + length);
    in.consume(length);
    return r;
}

}  // namespace

class ImmediateIoTest : public ServerFixture {
protected:
    void SetUp() override { start(); }
    tcp::socket connect() {
        tcp::socket s(io_);
        s.connect({asio::ip::make_address("127.0.0.1"), port()});
        return s;
    }
    asio::io_context io_;
};

// A request whose header and body arrive in several pieces is read as it comes (the parser
// waits for the rest); the next request on the connection is served as usual.
TEST_F(ImmediateIoTest, RequestArrivingInPiecesIsServed) {
    auto s = connect();
    const auto request = order_post(R"([{"id":1},{"id":2}])");
    const auto header_end = request.find("\r\n\r\n");
    const std::vector<std::string> pieces = {
        request.substr(0, 10), request.substr(10, header_end - 8),
        request.substr(header_end + 2, 9), request.substr(header_end + 11)};
    for (const auto& piece : pieces) {
        asio::write(s, asio::buffer(piece));
        std::this_thread::sleep_for(std::chrono::milliseconds(30));  // so each arrives alone
    }
    asio::streambuf in;
    const auto first = read_response(s, in);
    ASSERT_TRUE(first.head.starts_with("HTTP/1.1 202")) << first.head << first.body;
    EXPECT_EQ(boost::json::parse(first.body).at("documents").as_array().size(), 2u);

    asio::write(s, asio::buffer(order_post(R"([{"id":3}])", true)));
    const auto second = read_response(s, in);
    ASSERT_TRUE(second.head.starts_with("HTTP/1.1 202")) << second.head << second.body;
    EXPECT_EQ(boost::json::parse(second.body).at("documents").as_array().size(), 1u);
}

// Three posts with bodies in one write: each is parsed up to its own end, stored as its own
// execution and answered in order.
TEST_F(ImmediateIoTest, PipelinedPostsAreEachStoredAndAnsweredInOrder) {
    auto s = connect();
    asio::write(s, asio::buffer(order_post(R"([{"n":1}])") + order_post(R"([{"n":2},{"n":3}])") +
                                order_post(R"([{"n":4}])", true)));
    asio::streambuf in;
    std::vector<std::size_t> counts;
    std::set<std::string> executions;
    for (int i = 0; i < 3; ++i) {
        const auto r = read_response(s, in);
        ASSERT_TRUE(r.head.starts_with("HTTP/1.1 202")) << r.head << r.body;
        const auto receipt = boost::json::parse(r.body).as_object();
        counts.push_back(receipt.at("documents").as_array().size());
        executions.insert(std::string(receipt.at("execution_id").as_string()));
    }
    EXPECT_EQ(counts, (std::vector<std::size_t>{1, 2, 1}));
    EXPECT_EQ(executions.size(), 3u);
}

// An answer larger than the socket's send buffer, to a client that does not read for a while:
// the part the socket took is followed by the rest once the client reads, byte for byte.
TEST_F(ImmediateIoTest, AnswerLargerThanTheSocketTakesArrivesWhole) {
    auto s = connect();
    s.set_option(asio::socket_base::receive_buffer_size(64 * 1024));
    std::string body(12 << 20, '\0');
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 23);
    const auto request =
        "POST /ws/simple/executeEcho HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        "Content-Type: application/octet-stream\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    asio::write(s, asio::buffer(request));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server's write stalls
    asio::streambuf in;
    const auto r = read_response(s, in);
    ASSERT_TRUE(r.head.starts_with("HTTP/1.1 200")) << r.head;
    ASSERT_EQ(r.body.size(), body.size());
    EXPECT_TRUE(r.body == body);
}

}  // namespace ferry::ingress
