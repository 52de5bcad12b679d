// API definitions (docs/apis.md): what a definition file says, and each mistake named at its
// file, line and column.
#include "ferry/engine/model/api_definition.hpp"

#include <gtest/gtest.h>

#include "ferry/engine/model/process_loader.hpp"

namespace ferry::engine {
namespace {

const std::string orders_v2 = R"(api: orders
version: 2
title: Orders
description: Orders and their shipments.
base_path: orders/v2
headers: [X-Tenant]
routes:
  - {method: POST, path: orders, operation: createOrder}
  - method: get
    path: orders/{orderId}
    operation: getOrder
    summary: One order.
  - method: GET
    path: items
    operation: queryItems
    query:
      status: {type: string}
      limit: {type: integer, required: true}
    page_size: 50
  - {method: POST, path: "orders/{orderId}/shipments", operation: createShipment, input: single_json}
  - {method: GET, path: /, operation: describeOrders}
soap:
  operations: [submitInvoice]
deprecated: {sunset: 2027-06-30, successor: orders/v3}
)";

// The error a definition gives, or "" when it loads.
std::string error_of(const std::string& text) {
    try {
        (void)load_api_text(text, "orders.api.yaml");
        return "";
    } catch (const definition_error& e) {
        return e.what();
    }
}

TEST(ApiDefinition, ReadsEveryField) {
    ASSERT_TRUE(is_api_definition_text(orders_v2));
    const auto api = load_api_text(orders_v2, "orders.api.yaml");
    EXPECT_EQ(api->name, "orders");
    EXPECT_EQ(api->version, 2u);
    EXPECT_EQ(api->title, "Orders");
    EXPECT_EQ(api->base_path, "orders/v2");
    EXPECT_EQ(api->headers, std::vector<std::string>{"X-Tenant"});
    ASSERT_EQ(api->routes.size(), 5u);
    EXPECT_EQ(api->routes[1].method, "GET");  // written in lower case
    ASSERT_EQ(api->routes[1].segments.size(), 2u);
    EXPECT_EQ(api->routes[1].segments[0].text, "orders");
    EXPECT_FALSE(api->routes[1].segments[0].parameter);
    EXPECT_EQ(api->routes[1].segments[1].text, "orderId");
    EXPECT_TRUE(api->routes[1].segments[1].parameter);
    EXPECT_EQ(api->routes[1].summary, "One order.");
    const auto& items = api->routes[2];
    EXPECT_EQ(items.page_size, 50u);
    ASSERT_EQ(items.query.size(), 2u);
    EXPECT_EQ(items.query.at("limit").kind, query_parameter::type::integer);
    EXPECT_TRUE(items.query.at("limit").required);
    EXPECT_FALSE(items.query.at("status").required);
    EXPECT_EQ(api->routes[3].segments.size(), 3u);
    EXPECT_EQ(api->routes[3].input, "single_json");
    EXPECT_TRUE(api->routes[4].segments.empty());  // the base path itself
    EXPECT_EQ(api->soap_operations, std::vector<std::string>{"submitInvoice"});
    ASSERT_TRUE(api->deprecated);
    EXPECT_EQ(api->deprecated->sunset, "2027-06-30");
    EXPECT_EQ(api->deprecated->successor, "orders/v3");
    EXPECT_EQ(api->source, orders_v2);
}

TEST(ApiDefinition, AProcessIsNoApi) {
    EXPECT_FALSE(is_api_definition_text("name: orders\nlisten: {type: create, object: Order}\n"));
    EXPECT_FALSE(is_api_definition_text("{ not yaml"));
}

TEST(ApiDefinition, MistakesAreNamedAtTheirPlace) {
    const auto base = std::string("api: orders\nbase_path: orders/v2\n");
    EXPECT_EQ(error_of("api: orders\nroutes: []\n"),
              "orders.api.yaml:1:1: an API definition needs the field 'base_path'");
    EXPECT_EQ(error_of("api: orders\nbase_path: /orders\nsoap: {operations: [x]}\n"),
              "orders.api.yaml:2:12: base_path is segments without slashes around them, such "
              "as orders/v2");
    EXPECT_EQ(error_of("api: orders\nbase_path: orders/{v}\nsoap: {operations: [x]}\n"),
              "orders.api.yaml:2:12: base_path segment '{v}' must be letters, digits, '.', '_' "
              "or '-' (no parameters: they belong to routes)");
    EXPECT_EQ(error_of(base),
              "orders.api.yaml:1:1: API 'orders' serves nothing: give it routes, "
              "or soap operations");
    EXPECT_EQ(error_of(base + "routes:\n  - {method: FETCH, path: a, operation: x}\n"),
              "orders.api.yaml:4:14: method must be GET, POST, PUT, PATCH or DELETE, not 'FETCH'");
    EXPECT_EQ(error_of(base + "routes:\n  - {method: GET, path: /a, operation: x}\n"),
              "orders.api.yaml:4:25: a route's path is relative to the API's base path, without "
              "slashes around it, such as orders/{orderId} ('/' for the base path itself)");
    EXPECT_EQ(error_of(base + "routes:\n  - {method: GET, path: \"a/{1x}\", operation: x}\n"),
              "orders.api.yaml:4:25: path parameter '{1x}' must be named with letters, digits "
              "and '_' (not starting with a digit)");
    EXPECT_EQ(error_of(base + "routes:\n  - {method: GET, path: \"a/{id}/{id}\", operation: x}\n"),
              "orders.api.yaml:4:25: path parameter 'id' appears twice");
    EXPECT_EQ(error_of(base + "routes:\n  - {method: GET, path: \"a/{id}\", operation: x}\n"
                              "  - {method: GET, path: \"a/{key}\", operation: y}\n"),
              "orders.api.yaml:5:5: route GET a/{key} is the same as the route at line 4 (the "
              "same method, and paths that match alike)");
    EXPECT_EQ(error_of(base + "routes:\n  - {method: GET, path: a, operation: x, verb: y}\n"),
              "orders.api.yaml:4:42: unknown field 'verb' in a route");
    EXPECT_EQ(error_of(base + "routes:\n  - {method: GET, path: a, operation: x, input: csv}\n"),
              "orders.api.yaml:4:49: input 'csv' is not a data type (single_json, "
              "multiple_json, single_xml, ...)");
    EXPECT_EQ(error_of(base + "routes:\n  - method: GET\n    path: a\n    operation: x\n"
                              "    query: {n: {type: long}}\n"),
              "orders.api.yaml:7:23: a query parameter's type is string, integer, number or "
              "boolean, not 'long'");
    EXPECT_EQ(error_of(base + "soap: {operations: [x]}\ndeprecated: {sunset: next year}\n"),
              "orders.api.yaml:4:22: sunset is a date: YYYY-MM-DD");
    EXPECT_EQ(error_of("api: 'orders v2'\nbase_path: o\nsoap: {operations: [x]}\n"),
              "orders.api.yaml:1:6: an API name is 1 to 64 letters, digits, '.', '_' or '-'");
}

// The same method on the same path shape is a conflict; a literal and a parameter at the same
// depth are not (the literal is the more specific), nor another method on the same path.
TEST(ApiDefinition, RoutesThatDifferLoad) {
    const auto api = load_api_text(
        "api: orders\nbase_path: orders/v2\nroutes:\n"
        "  - {method: GET, path: \"orders/{id}\", operation: getOrder}\n"
        "  - {method: GET, path: orders/latest, operation: latestOrder}\n"
        "  - {method: PUT, path: \"orders/{id}\", operation: putOrder}\n",
        "orders.api.yaml");
    EXPECT_EQ(api->routes.size(), 3u);
}

}  // namespace
}  // namespace ferry::engine
