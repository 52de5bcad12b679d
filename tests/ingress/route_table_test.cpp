// The route table's matching rules: literal beats parameter at the same depth, the longest
// literal prefix wins, a path known with other methods reports them for 405, matrix parameters
// take no part in matching, and malformed patterns are refused at start.
#include "http/route_table.hpp"

#include <gtest/gtest.h>

namespace ferry::ingress {
namespace {

using boost::beast::http::verb;
using table = route_table<int>;

void add(table& t, verb method, std::string_view pattern, int id) {
    t.add(method, pattern, route_role::admin, web_service::none, id);
}

int matched(const table& t, verb method, std::string_view path) {
    const auto m = t.match(method, path);
    return m.found ? m.found->handler : -1;
}

TEST(RouteTable, LiteralSegmentsMatchExactly) {
    table t;
    add(t, verb::get, "/_admin/status", 1);
    add(t, verb::get, "/_admin/queues", 2);
    EXPECT_EQ(matched(t, verb::get, "/_admin/status"), 1);
    EXPECT_EQ(matched(t, verb::get, "/_admin/queues"), 2);
    EXPECT_EQ(matched(t, verb::get, "/_admin/status/"), -1);
    EXPECT_EQ(matched(t, verb::get, "/_admin"), -1);
    EXPECT_EQ(matched(t, verb::get, "/_admin/statusx"), -1);
    EXPECT_FALSE(t.match(verb::get, "/nothing").shape);
}

// A pattern ending in '/' (the console's "/_console/") matches only with the slash.
TEST(RouteTable, ATrailingSlashIsItsOwnPattern) {
    table t;
    add(t, verb::get, "/_console", 1);
    add(t, verb::get, "/_console/", 2);
    add(t, verb::get, "/_console/{page}", 3);
    EXPECT_EQ(matched(t, verb::get, "/_console"), 1);
    EXPECT_EQ(matched(t, verb::get, "/_console/"), 2);
    EXPECT_EQ(matched(t, verb::get, "/_console/x"), 3);
    EXPECT_EQ(matched(t, verb::get, "/_console/x/"), -1);
    EXPECT_THROW(add(t, verb::get, "//", 4), std::invalid_argument);
}

TEST(RouteTable, ParametersTakeOneNonEmptySegment) {
    table t;
    add(t, verb::get, "/_admin/executions/{id}/documents/{document}", 1);
    const auto m = t.match(verb::get, "/_admin/executions/e1/documents/e1-0");
    ASSERT_TRUE(m.found);
    EXPECT_EQ(m.param("id"), "e1");
    EXPECT_EQ(m.param("document"), "e1-0");
    EXPECT_EQ(m.param("absent"), "");
    EXPECT_EQ(matched(t, verb::get, "/_admin/executions//documents/x"), -1);
    EXPECT_EQ(matched(t, verb::get, "/_admin/executions/a/b/documents/x"), -1);
}

TEST(RouteTable, LiteralBeatsParameterAtTheSameDepth) {
    table t;
    // Added parameter first: the order of adding does not decide.
    add(t, verb::post, "/_admin/dead-letters/{id}", 1);
    add(t, verb::post, "/_admin/dead-letters/resend", 2);
    add(t, verb::post, "/a/{x}/c", 3);
    add(t, verb::post, "/a/b/{y}", 4);
    EXPECT_EQ(matched(t, verb::post, "/_admin/dead-letters/resend"), 2);
    EXPECT_EQ(matched(t, verb::post, "/_admin/dead-letters/d1"), 1);
    // The first depth where two patterns differ decides: b (literal) beats {x}.
    EXPECT_EQ(matched(t, verb::post, "/a/b/c"), 4);
    EXPECT_EQ(matched(t, verb::post, "/a/z/c"), 3);
}

TEST(RouteTable, LongestLiteralBasePathWins) {
    table t;
    add(t, verb::get, "/ws/rest/{path...}", 1);
    add(t, verb::get, "/ws/rest/orders/{path...}", 2);
    add(t, verb::get, "/ws/rest/orders/v2/{path...}", 3);
    EXPECT_EQ(matched(t, verb::get, "/ws/rest/orders/v2/items/7"), 3);
    EXPECT_EQ(matched(t, verb::get, "/ws/rest/orders/v1/items/7"), 2);
    EXPECT_EQ(matched(t, verb::get, "/ws/rest/customers"), 1);
    const auto m = t.match(verb::get, "/ws/rest/orders/v2/items/7");
    EXPECT_EQ(m.param("path"), "items/7");
    // A rest takes one segment at least.
    EXPECT_EQ(matched(t, verb::get, "/ws/rest"), -1);
}

TEST(RouteTable, OtherMethodsAreReportedForAllow) {
    table t;
    add(t, verb::delete_, "/_admin/dead-letters", 1);
    add(t, verb::get, "/_admin/dead-letters", 2);
    const auto m = t.match(verb::put, "/_admin/dead-letters");
    EXPECT_FALSE(m.found);
    ASSERT_TRUE(m.shape);
    // A fixed order, not the order of adding.
    EXPECT_EQ(m.allow, "GET, DELETE");
    EXPECT_EQ(matched(t, verb::delete_, "/_admin/dead-letters"), 1);
    // A found route leaves Allow empty.
    EXPECT_EQ(t.match(verb::get, "/_admin/dead-letters").allow, "");
}

TEST(RouteTable, TheMostSpecificPatternDecidesTheMethods) {
    table t;
    add(t, verb::post, "/_admin/dead-letters/resend", 1);
    add(t, verb::get, "/_admin/dead-letters/{id}", 2);
    // GET on the literal path is 405 (POST), not the dead letter called "resend".
    const auto m = t.match(verb::get, "/_admin/dead-letters/resend");
    EXPECT_FALSE(m.found);
    EXPECT_EQ(m.allow, "POST");
}

TEST(RouteTable, MatrixParametersOfTheLastSegmentAreSetAside) {
    table t;
    t.add(verb::post, "/ws/simple/{operation}", route_role::services, web_service::simple, 1);
    t.add(verb::post, "/ws/soap", route_role::services, web_service::soap11, 2);
    auto m = t.match(verb::post, "/ws/simple/createOrder;auth=dTp0;region=eu");
    ASSERT_TRUE(m.found);
    EXPECT_EQ(m.param("operation"), "createOrder");
    EXPECT_EQ(m.matrix, ";auth=dTp0;region=eu");
    EXPECT_EQ(m.found->service, web_service::simple);
    m = t.match(verb::post, "/ws/soap;auth=dTp0");
    ASSERT_TRUE(m.found);
    EXPECT_EQ(m.found->handler, 2);
    EXPECT_EQ(m.matrix, ";auth=dTp0");
    // A segment that is only matrix parameters is empty: no operation.
    EXPECT_EQ(matched(t, verb::post, "/ws/simple/;auth=dTp0"), -1);
}

TEST(RouteTable, MalformedPatternsAndDuplicatesAreRefused) {
    table t;
    EXPECT_THROW(add(t, verb::get, "no/slash", 1), std::invalid_argument);
    EXPECT_THROW(add(t, verb::get, "/a//b", 1), std::invalid_argument);
    EXPECT_THROW(add(t, verb::get, "/a/{}", 1), std::invalid_argument);
    EXPECT_THROW(add(t, verb::get, "/a/x{y}", 1), std::invalid_argument);
    EXPECT_THROW(add(t, verb::get, "/a/{rest...}/b", 1), std::invalid_argument);
    add(t, verb::get, "/a/{x}", 1);
    EXPECT_THROW(add(t, verb::get, "/a/{x}", 2), std::invalid_argument);
    add(t, verb::post, "/a/{x}", 3);  // another method of the same pattern is fine
    EXPECT_EQ(t.routes().size(), 2u);
}

}  // namespace
}  // namespace ferry::ingress
