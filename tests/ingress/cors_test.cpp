// CORS (issue 6): rules per origin, in order, with wildcards; preflights answered without
// credentials; actual responses carry the rule's headers, errors included.
#include <boost/json/parse.hpp>

#include "ingress/server_fixture.hpp"
#include "support/http_client.hpp"

namespace ferry::ingress {

class CorsTest : public ServerFixture {
protected:
    void SetUp() override {
        server_settings s;
        cors_rule app;
        app.origin = "https://app.example.com";
        app.methods = {"POST"};
        app.headers = {"Content-Type", "Authorization", "Idempotency-Key"};
        app.expose_headers = {"X-Execution-Id", "Link"};
        app.credentials = true;
        app.max_age_seconds = 900;
        cors_rule partners;
        partners.origin = "https://*.partner.example";
        partners.methods = {"GET", "POST"};
        cors_rule anyone;  // later than the rules above: they win for their origins
        anyone.origin = "*";
        anyone.methods = {"GET"};
        s.cors = {app, partners, anyone};
        start(s);
    }

    test::http_reply preflight(const std::string& origin, const std::string& method,
                               const std::string& headers = "") {
        std::map<std::string, std::string> h = {{"Origin", origin},
                                                {"Access-Control-Request-Method", method}};
        if (!headers.empty()) h["Access-Control-Request-Headers"] = headers;
        return test::http_request(port(), "OPTIONS", "/ws/simple/createOrder", "", h);
    }
};

TEST_F(CorsTest, PreflightIsAnsweredFromTheFirstMatchingRule) {
    const auto ok = preflight("https://app.example.com", "POST", "content-type, idempotency-key");
    EXPECT_EQ(ok.status, 204);
    EXPECT_EQ(ok.header("Access-Control-Allow-Origin"), "https://app.example.com");
    EXPECT_EQ(ok.header("Access-Control-Allow-Methods"), "POST");
    EXPECT_EQ(ok.header("Access-Control-Allow-Headers"), "content-type, idempotency-key");
    EXPECT_EQ(ok.header("Access-Control-Allow-Credentials"), "true");
    EXPECT_EQ(ok.header("Access-Control-Max-Age"), "900");
    EXPECT_NE(ok.header("Vary").find("Origin"), std::string::npos);

    const auto wildcard = preflight("https://eu.partner.example", "POST");
    EXPECT_EQ(wildcard.status, 204);
    EXPECT_EQ(wildcard.header("Access-Control-Allow-Origin"), "https://eu.partner.example");
    EXPECT_TRUE(wildcard.header("Access-Control-Allow-Credentials").empty());

    const auto anyone = preflight("https://elsewhere.example", "GET");
    EXPECT_EQ(anyone.status, 204);
    EXPECT_EQ(anyone.header("Access-Control-Allow-Origin"), "*");
}

TEST_F(CorsTest, PreflightOutsideTheRulesIs403WithTheReason) {
    const auto method = preflight("https://app.example.com", "DELETE");
    EXPECT_EQ(method.status, 403);
    EXPECT_EQ(boost::json::parse(method.body).at("error"), "cors_not_allowed");
    EXPECT_NE(method.body.find("DELETE"), std::string::npos);
    EXPECT_TRUE(method.header("Access-Control-Allow-Origin").empty());

    const auto header = preflight("https://app.example.com", "POST", "X-Secret");
    EXPECT_EQ(header.status, 403);
    EXPECT_NE(header.body.find("X-Secret"), std::string::npos);

    // "*" allows GET only; the partner wildcard does not match a look-alike host.
    EXPECT_EQ(preflight("https://partner.example.evil.com", "POST").status, 403);
}

TEST_F(CorsTest, ActualResponsesCarryTheRuleHeaders) {
    const auto posted = test::http_request(port(), "POST", "/ws/simple/createOrder", "[{}]",
                                           {{"Origin", "https://app.example.com"}});
    EXPECT_EQ(posted.status, 202);
    EXPECT_EQ(posted.header("Access-Control-Allow-Origin"), "https://app.example.com");
    EXPECT_EQ(posted.header("Access-Control-Allow-Credentials"), "true");
    EXPECT_EQ(posted.header("Access-Control-Expose-Headers"), "X-Execution-Id, Link");

    // An error, too, so that the page's script can read why.
    const auto bad = test::http_request(port(), "POST", "/ws/simple/createOrder", "[oops",
                                        {{"Origin", "https://app.example.com"}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.header("Access-Control-Allow-Origin"), "https://app.example.com");

    const auto none = test::http_request(port(), "POST", "/ws/simple/createOrder", "[{}]");
    EXPECT_TRUE(none.header("Access-Control-Allow-Origin").empty());
}

// A preflight has no body: the connection goes on with the actual request (both sent at once
// here, pipelined).
TEST_F(CorsTest, PreflightKeepsTheConnection) {
    const std::string both =
        "OPTIONS /ws/simple/createOrder HTTP/1.1\r\nHost: x\r\n"
        "Origin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\n\r\n"
        "POST /ws/simple/createOrder HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\n"
        "Content-Length: 4\r\nConnection: close\r\n\r\n[{}]";
    const auto answers = test::raw_exchange(port(), both);
    const auto preflight_at = answers.find("HTTP/1.1 204");
    const auto post_at = answers.find("HTTP/1.1 202");
    ASSERT_NE(preflight_at, std::string::npos) << answers;
    ASSERT_NE(post_at, std::string::npos) << answers;
    EXPECT_LT(preflight_at, post_at);
}

}  // namespace ferry::ingress
