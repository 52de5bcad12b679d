// Generated links and the caller's address behind a proxy (ingress/src/links.hpp).
#include "http/links.hpp"

#include <gtest/gtest.h>

namespace ferry::ingress {
namespace {

http::request_header<> header(std::map<std::string, std::string> fields,
                              std::string target = "/ws/simple/createOrder") {
    http::request_header<> req;
    req.method(http::verb::post);
    req.target(target);
    req.set(http::field::host, "ferry.internal:9090");
    for (const auto& [k, v] : fields) req.set(k, v);
    return req;
}

link_settings trusted() {
    link_settings s;
    s.trust_forwarded = true;
    return s;
}

}  // namespace

TEST(LinkBase, EmptyUnlessConfiguredOrForwarded) {
    EXPECT_EQ(link_base(header({{"X-Forwarded-Host", "evil.com"}}), false, {}), "");
    EXPECT_EQ(link_base(header({}), false, trusted()), "");
    link_settings external;
    external.external_base_url = "https://api.example.com/base/";
    EXPECT_EQ(link_base(header({{"X-Forwarded-Host", "evil.com"}}), false, external),
              "https://api.example.com/base");
}

TEST(LinkBase, BuiltFromForwardedHeaders) {
    EXPECT_EQ(link_base(header({{"X-Forwarded-Proto", "https"},
                                {"X-Forwarded-Host", "api.example.com"},
                                {"X-Forwarded-Port", "443"}}),
                        false, trusted()),
              "https://api.example.com");
    EXPECT_EQ(link_base(header({{"X-Forwarded-Proto", "http, https"},
                                {"X-Forwarded-Host", "api.example.com"},
                                {"X-Forwarded-Port", "8080"},
                                {"X-Forwarded-Prefix", "edge/"}}),
                        false, trusted()),
              "http://api.example.com:8080/edge");
    // Only the prefix known: the Host header and the connection's scheme fill in.
    EXPECT_EQ(link_base(header({{"X-Forwarded-Prefix", "/p"}}), true, trusted()),
              "https://ferry.internal:9090/p");
}

TEST(LinkBase, PrefixFromRequestUri) {
    EXPECT_EQ(link_base(header({{"X-Forwarded-Proto", "https"},
                                {"X-Request-Uri", "/gw/acme/ws/simple/createOrder?x=1"}},
                               "/ws/simple/createOrder?x=1"),
                        false, trusted()),
              "https://ferry.internal:9090/gw/acme");
    // A Request-Uri that is not this request's path with something in front adds nothing.
    EXPECT_EQ(link_base(header({{"X-Forwarded-Proto", "https"}, {"X-Request-Uri", "/elsewhere"}}),
                        false, trusted()),
              "https://ferry.internal:9090");
}

TEST(LinkBase, RefusesValuesThatWouldBreakAHeader) {
    EXPECT_EQ(link_base(header({{"X-Forwarded-Host", "a.com>; rel=\"evil\""}}), false, trusted()),
              "");
    EXPECT_EQ(link_base(header({{"X-Forwarded-Prefix", "/a b"}}), false, trusted()), "");
}

TEST(RebaseLinks, PrefixesPathLinksOnly) {
    response res;
    res.set(http::field::link, "</ws/simple/listOrders?moreDataToken=abc>; rel=\"next\"");
    res.set("X-Execution-Status-Link", "/_admin/executions/e1/result");
    res.set(http::field::location, "/_admin/executions/e1");
    rebase_links(res, "https://api.example.com/p");
    EXPECT_EQ(res[http::field::location], "https://api.example.com/p/_admin/executions/e1");
    EXPECT_EQ(res[http::field::link],
              "<https://api.example.com/p/ws/simple/listOrders?moreDataToken=abc>; rel=\"next\"");
    EXPECT_EQ(res["X-Execution-Status-Link"],
              "https://api.example.com/p/_admin/executions/e1/result");
    rebase_links(res, "https://other");  // already absolute: unchanged
    EXPECT_EQ(res["X-Execution-Status-Link"],
              "https://api.example.com/p/_admin/executions/e1/result");
}

TEST(ClientAddress, LastForwardedHopWhenTrusted) {
    const auto peer = boost::asio::ip::make_address("10.0.0.5");
    const auto req = header({{"X-Forwarded-For", "1.2.3.4, 203.0.113.7"}});
    EXPECT_EQ(client_address(req, peer, {}), peer);
    EXPECT_EQ(client_address(req, peer, trusted()).to_string(), "203.0.113.7");
    EXPECT_EQ(
        client_address(header({{"X-Forwarded-For", "2001:db8::1"}}), peer, trusted()).to_string(),
        "2001:db8::1");
    EXPECT_EQ(client_address(header({{"X-Forwarded-For", "garbage"}}), peer, trusted()), peer);
}

}  // namespace ferry::ingress
