// Dispatch of REST requests to API routes (docs/apis.md): the longest base path, then the most
// specific route; 405 with the methods the path takes; 404 naming the API whose base path
// matched.
#include "ferry/engine/model/api_routes.hpp"

#include <gtest/gtest.h>

namespace ferry::engine {
namespace {

std::shared_ptr<const api_definition> api(const std::string& text) {
    return load_api_text(text, "test.api.yaml");
}

class ApiRoutes : public ::testing::Test {
protected:
    ApiRoutes()
        : v2_(api("api: orders\nversion: 2\nbase_path: orders/v2\nroutes:\n"
                  "  - {method: GET, path: \"orders/{orderId}\", operation: getOrder}\n"
                  "  - {method: GET, path: orders/latest, operation: latestOrder}\n"
                  "  - {method: DELETE, path: \"orders/{orderId}\", operation: cancelOrder}\n"
                  "  - {method: POST, path: orders, operation: createOrder}\n"
                  "  - {method: GET, path: \"{kind}/latest\", operation: latestOfKind}\n"
                  "  - {method: POST, path: \"orders/{orderId}/shipments/{shipmentId}\", "
                  "operation: createShipment}\n"
                  "  - {method: GET, path: /, operation: describeOrders}\n")),
          all_(api("api: everything\nbase_path: orders\nroutes:\n"
                   "  - {method: GET, path: \"{anything}\", operation: catchAll}\n")),
          routes_({all_, v2_}) {}

    /// The operation the request reaches ("" when none).
    std::string operation(std::string_view method, std::string_view path) const {
        const auto d = routes_.dispatch(method, path);
        const auto* m = std::get_if<api_match>(&d);
        return m != nullptr ? m->route->operation : "";
    }

    std::shared_ptr<const api_definition> v2_;
    std::shared_ptr<const api_definition> all_;
    api_routes routes_;
};

TEST_F(ApiRoutes, AParameterTakesOneSegmentAndIsPassedOn) {
    const auto d = routes_.dispatch("POST", "orders/v2/orders/7/shipments/s-1");
    const auto* m = std::get_if<api_match>(&d);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->api, v2_);
    EXPECT_EQ(m->route->operation, "createShipment");
    EXPECT_EQ(m->parameters,
              (std::map<std::string, std::string>{{"orderId", "7"}, {"shipmentId", "s-1"}}));
    EXPECT_EQ(m->path, "orders/7/shipments/s-1");
    EXPECT_EQ(operation("GET", "orders/v2/orders/7/x"), "");
}

TEST_F(ApiRoutes, ALiteralBeatsAParameterAtTheSameDepth) {
    EXPECT_EQ(operation("GET", "orders/v2/orders/latest"), "latestOrder");
    EXPECT_EQ(operation("GET", "orders/v2/orders/8"), "getOrder");
    // From the left: orders/latest beats {kind}/latest, which takes any other kind.
    EXPECT_EQ(operation("GET", "orders/v2/items/latest"), "latestOfKind");
    EXPECT_EQ(operation("GET", "orders/v2"), "describeOrders");
}

TEST_F(ApiRoutes, TheLongestBasePathWins) {
    EXPECT_EQ(operation("GET", "orders/v2/orders/9"), "getOrder");
    EXPECT_EQ(operation("GET", "orders/v3"), "catchAll");  // v3 is no segment of v2's path
    EXPECT_EQ(operation("GET", "orders/v2x"), "catchAll");
}

TEST_F(ApiRoutes, AnotherMethodIs405WithTheMethodsThePathTakes) {
    const auto d = routes_.dispatch("PUT", "orders/v2/orders/7");
    const auto* m = std::get_if<api_method_not_allowed>(&d);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->api, v2_);
    EXPECT_EQ(m->allow, (std::vector<std::string>{"DELETE", "GET"}));
}

TEST_F(ApiRoutes, NothingIs404NamingTheApiWhoseBasePathMatched) {
    const auto in_v2 = routes_.dispatch("GET", "orders/v2/nothing/here/at/all");
    ASSERT_TRUE(std::holds_alternative<api_not_found>(in_v2));
    EXPECT_EQ(std::get<api_not_found>(in_v2).api, v2_);
    const auto nowhere = routes_.dispatch("GET", "invoices/1");
    ASSERT_TRUE(std::holds_alternative<api_not_found>(nowhere));
    EXPECT_EQ(std::get<api_not_found>(nowhere).api, nullptr);
    // An empty segment is no parameter's value.
    EXPECT_EQ(operation("GET", "orders/v2/orders/"), "");
}

// A route with routing headers matches only requests that carry them, and then wins over the
// same path without them.
TEST(ApiRoutingHeaders, PickTheRouteWhoseHeadersTheRequestCarries) {
    const api_routes routes(
        {api("api: orders\nbase_path: orders\nroutes:\n"
             "  - {method: GET, path: 'o/{id}', operation: getOrder}\n"
             "  - {method: GET, path: 'o/{id}', operation: getOrderBeta,\n"
             "     headers: {X-Variant: beta}}\n"
             "  - {method: POST, path: x, operation: onlyBeta,\n"
             "     headers: {X-Variant: beta}}\n")});
    const auto operation = [&](std::string_view method, std::string_view path,
                               std::string_view variant) {
        const auto d = routes.dispatch(method, path, [&](std::string_view name) {
            return name == "X-Variant" ? variant : std::string_view();
        });
        const auto* m = std::get_if<api_match>(&d);
        return m != nullptr ? m->route->operation : "";
    };
    EXPECT_EQ(operation("GET", "orders/o/1", ""), "getOrder");
    EXPECT_EQ(operation("GET", "orders/o/1", "beta"), "getOrderBeta");
    EXPECT_EQ(operation("GET", "orders/o/1", "gamma"), "getOrder");
    EXPECT_EQ(operation("POST", "orders/x", "beta"), "onlyBeta");
    EXPECT_EQ(operation("POST", "orders/x", ""), "");
    EXPECT_TRUE(std::holds_alternative<api_not_found>(routes.dispatch("POST", "orders/x")));
}

}  // namespace
}  // namespace ferry::engine
