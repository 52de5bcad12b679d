// The checks a request meets before its body is read (http/request_checks.hpp) and the UTF-8
// rules that keep request text out of JSON answers unless it is well-formed (utf8.hpp).
#include "http/request_checks.hpp"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>

#include "utf8.hpp"

namespace ferry::ingress {
namespace {

TEST(Utf8Test, OnlyWellFormedUtf8IsValid) {
    EXPECT_TRUE(valid_utf8(""));
    EXPECT_TRUE(valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
    EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
    EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));      // overlong, three bytes
    EXPECT_FALSE(valid_utf8("\xf0\x80\x80\xaf"));  // overlong, four bytes
    EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate
    EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(valid_utf8("\xff"));
    EXPECT_FALSE(valid_utf8("\x80"));      // a continuation alone
    EXPECT_FALSE(valid_utf8("\xe2\x82"));  // cut short
}

TEST(Utf8Test, AsUtf8ReplacesWhatIsNotWellFormed) {
    EXPECT_EQ(as_utf8("plain"), "plain");
    EXPECT_EQ(as_utf8("a\xc0\xaf"
                      "b"),
              "a\xef\xbf\xbd\xef\xbf\xbd"
              "b");
    EXPECT_EQ(as_utf8("\xe2\x82\xac\xff"), "\xe2\x82\xac\xef\xbf\xbd");
    EXPECT_TRUE(valid_utf8(as_utf8("\xed\xa0\x80\xf4\x90")));
}

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
