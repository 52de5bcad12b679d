#include <boost/json/parse.hpp>

#include "ingress/server_fixture.hpp"
#include "support/http_client.hpp"

namespace ferry::ingress {

class LimitsTest : public ServerFixture {
protected:
    void SetUp() override {
        server_settings s;
        s.body_limit = 1024;
        s.header_limit = 2048;
        s.header_timeout = std::chrono::milliseconds(300);
        s.body_timeout = std::chrono::milliseconds(300);
        start(s);
    }
    std::string post(std::size_t length, const std::string& body) {
        return "POST /ws/simple/createOrder HTTP/1.1\r\nHost: x\r\nContent-Length: " +
               std::to_string(length) + "\r\n\r\n" + body;
    }
};

// A body over the limit is 413, announced by Content-Length or not.
TEST_F(LimitsTest, OversizedBodyIs413) {
    const auto res = test::raw_exchange(port(), post(5000, std::string(5000, 'x')));
    EXPECT_TRUE(res.starts_with("HTTP/1.1 413")) << res;
    EXPECT_NE(res.find("body_too_large"), std::string::npos);
    const auto chunked = test::raw_exchange(
        port(),
        "POST /ws/simple/createOrder HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "\r\n800\r\n" +
            std::string(2048, 'x') + "\r\n0\r\n\r\n");
    EXPECT_TRUE(chunked.starts_with("HTTP/1.1 413")) << chunked;
}

// A header over the limit is 431.
TEST_F(LimitsTest, OversizedHeaderIs431) {
    const auto res = test::raw_exchange(
        port(), "GET /_admin/status HTTP/1.1\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
    EXPECT_TRUE(res.starts_with("HTTP/1.1 431")) << res;
}

// Bytes that are not HTTP get 400 with a JSON reason.
TEST_F(LimitsTest, MalformedHttpIs400) {
    const auto res = test::raw_exchange(port(), "HELLO\x01 WORLD\r\n\r\n");
    EXPECT_TRUE(res.starts_with("HTTP/1.1 400")) << res;
    EXPECT_NE(res.find("malformed_http"), std::string::npos);
}

// A header that stops half-way is 408 once the header timeout passes (slowloris).
TEST_F(LimitsTest, SlowHeaderIs408) {
    const auto res = test::raw_exchange(port(), "GET /_admin/status HTTP/1.1\r\nHost: x\r\n");
    EXPECT_TRUE(res.starts_with("HTTP/1.1 408")) << res;
    EXPECT_NE(res.find("header_timeout"), std::string::npos);
}

// A body that stops half-way is 408 once the body timeout passes; nothing is stored.
TEST_F(LimitsTest, SlowBodyIs408) {
    const auto before = runtime_->db().last_seq();
    const auto res = test::raw_exchange(port(), post(100, "[1,"));
    EXPECT_TRUE(res.starts_with("HTTP/1.1 408")) << res;
    EXPECT_NE(res.find("body_timeout"), std::string::npos);
    EXPECT_EQ(runtime_->db().last_seq(), before);
}

// A client that asks for 100-continue gets it, then the answer to its body.
TEST_F(LimitsTest, ExpectContinueIsHonoured) {
    const std::string body = "[{\"a\":1}]";
    const auto res = test::raw_exchange(
        port(),
        "POST /ws/simple/createOrder HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        "Connection: close\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_TRUE(res.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202")) << res;
}

// Two pipelined requests on one connection get two responses in order.
TEST_F(LimitsTest, PipelinedRequestsAreAnsweredInOrder) {
    const std::string two =
        "GET /_admin/status HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const auto res = test::raw_exchange(port(), two);
    const auto first = res.find("HTTP/1.1 200");
    const auto second = res.find("HTTP/1.1 404");
    ASSERT_NE(first, std::string::npos) << res;
    ASSERT_NE(second, std::string::npos) << res;
    EXPECT_LT(first, second);
}

}  // namespace ferry::ingress
