// routed_request keeps its target as a view into the request's own target (no copy per
// request). That rests on one property of Beast, checked here: a request released from its
// parser and then moved keeps the very storage its target lives in.
#include <gtest/gtest.h>

#include <boost/beast/http/parser.hpp>
#include <boost/url/parse.hpp>
#include <string_view>
#include <utility>

#include "routes.hpp"

namespace ferry::ingress {
namespace {

namespace http = boost::beast::http;

request moved_on(request req) { return req; }

TEST(RoutedRequestTest, TargetViewSurvivesReleaseAndMoves) {
    constexpr std::string_view wire =
        "POST /ws/simple/createOrder;auth=YWxpY2U6cHc=?priority=high&id=%2F7 HTTP/1.1\r\n"
        "Host: localhost\r\nContent-Length: 2\r\n\r\n{}";
    http::request_parser<http::string_body> parser;
    boost::beast::error_code ec;
    parser.eager(true);
    parser.put(boost::asio::buffer(wire.data(), wire.size()), ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_TRUE(parser.is_done());

    const auto target = boost::urls::parse_origin_form(parser.get().target());
    ASSERT_TRUE(target);
    const char* storage = parser.get().target().data();

    request released = parser.release();
    request moved = moved_on(std::move(released));
    EXPECT_EQ(moved.target().data(), storage);

    // The view made before the moves still reads the request's target, decoded.
    EXPECT_EQ(target->path(), "/ws/simple/createOrder;auth=YWxpY2U6cHc=");
    const auto id = target->params().find("id");
    ASSERT_NE(id, target->params().end());
    EXPECT_EQ((*id).value, "/7");
    EXPECT_EQ(moved.body(), "{}");
}

}  // namespace
}  // namespace ferry::ingress
