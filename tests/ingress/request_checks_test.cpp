// The checks a request meets before its body is read (http/request_checks.hpp).
#include "http/request_checks.hpp"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>

namespace ferry::ingress {
namespace {

http::request_header<> header(std::string_view target, unsigned version = 11) {
    http::request_header<> req;
    req.method(http::verb::post);
    req.target(target);
    req.version(version);
    return req;
}

TEST(RequestChecksTest, OnlyChunkedIsTakenAsTransferCoding) {
    auto req = header("/ws/simple/createOrder");
    EXPECT_FALSE(refuse_transfer_coding(req));
    req.set(http::field::transfer_encoding, "chunked");
    EXPECT_FALSE(refuse_transfer_coding(req));
    req.set(http::field::transfer_encoding, "gzip, chunked");
    auto refused = refuse_transfer_coding(req);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->result(), http::status::not_implemented);
    EXPECT_NE(refused->body().find("unsupported_transfer_coding"), std::string::npos);
    EXPECT_NE(refused->body().find("'gzip'"), std::string::npos);
    EXPECT_FALSE(refused->keep_alive());
    req.set(http::field::transfer_encoding, "identity");
    EXPECT_EQ(refuse_transfer_coding(req)->result(), http::status::not_implemented);
    req.set(http::field::transfer_encoding, "chunked, chunked");
    EXPECT_EQ(refuse_transfer_coding(req)->result(), http::status::bad_request);
    req.set(http::field::transfer_encoding, "chunked");
    req.insert(http::field::transfer_encoding, "Chunked");
    EXPECT_EQ(refuse_transfer_coding(req)->result(), http::status::bad_request);

    auto old = header("/ws/simple/createOrder", 10);
    old.set(http::field::transfer_encoding, "chunked");
    refused = refuse_transfer_coding(old);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->result(), http::status::bad_request);
    EXPECT_NE(refused->body().find("HTTP/1.0"), std::string::npos);
}

TEST(RequestChecksTest, TargetsMustDecodeToUtf8WithoutNul) {
    const auto check = [](std::string_view target) {
        const auto req = header(target);
        const auto parsed = boost::urls::parse_origin_form(target);
        EXPECT_TRUE(parsed) << target;
        return refuse_target_text(*parsed, req);
    };
    EXPECT_FALSE(check("/ws/simple/createOrder;region=EU?q=caf%C3%A9&x=%2F"));
    EXPECT_FALSE(check("/ws/simple/createOrder"));
    for (const auto bad :
         {"/ws/simple/create%00Order", "/ws/simple/%c0%afetc",
          "/ws/simple/createOrder;region=%c0%af", "/ws/simple/createOrder?q=%ff",
          "/ws/simple/createOrder?%ed%a0%80=1", "/ws/simple/createOrder?q=a%00b"}) {
        const auto refused = check(bad);
        ASSERT_TRUE(refused) << bad;
        EXPECT_EQ(refused->result(), http::status::bad_request) << bad;
        EXPECT_NE(refused->body().find("bad_target"), std::string::npos) << bad;
    }
}

}  // namespace
}  // namespace ferry::ingress
