// The OpenAPI writer (docs/apis.md, "OpenAPI"): paths relative to the base path, parameters,
// bodies and answers from the operation and the route, profile schemas, the receipt, errors,
// deprecation, what a reader may call, security; and its YAML form.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include "ferry/engine/apis/openapi.hpp"
#include "ferry/engine/model/process_loader.hpp"

namespace ferry::engine {
namespace {

namespace json = boost::json;

constexpr const char* get_order = R"(name: getOrder
listen: {type: get, object: Order, input: single_data, output: single_json, response_profile: Order}
steps:
  - return: {}
--- # ferry profile Order
profile: Order
format: json
root:
  elements:
    - {name: orderId}
    - {name: total, type: number, min: 0}
    - name: lines
      max: unbounded
      elements:
        - {name: sku}
)";

constexpr const char* create_order = R"(name: createOrder
listen: {type: create, object: Order, input: multiple_json, output: none}
steps:
  - message: {template: "x"}
)";

constexpr const char* orders_api = R"(api: orders
version: 3
title: Orders
base_path: orders/v3
headers: [X-Tenant]
routes:
  - method: GET
    path: 'orders/{orderId}'
    operation: getOrder
    query:
      expand: {type: boolean}
  - {method: POST, path: orders, operation: createOrder}
  - {method: GET, path: orders, operation: getOrder, output: multiple_json}
deprecated: {sunset: 2030-01-01, successor: orders/v4}
)";

class OpenApiWriter : public ::testing::Test {
protected:
    OpenApiWriter()
        : processes_(load_process_set(
              {{"getOrder.yaml", get_order}, {"createOrder.yaml", create_order}})) {}

    json::object write(const openapi_options& options = {}) {
        return write_openapi(*load_api_text(orders_api, "orders.api.yaml"), *processes_, options);
    }

    std::shared_ptr<const registry> processes_;
};

TEST_F(OpenApiWriter, PathsAreTheRoutesBelowTheServerAtTheBasePath) {
    openapi_options options;
    options.server_url = "https://api.example.org";
    const auto doc = write(options);
    EXPECT_EQ(doc.at("openapi").as_string(), "3.0.3");
    EXPECT_EQ(doc.at("info").at("title").as_string(), "Orders");
    EXPECT_EQ(doc.at("info").at("version").as_string(), "3");
    EXPECT_EQ(doc.at("servers").at(0).at("url").as_string(),
              "https://api.example.org/ws/rest/orders/v3");
    const auto& paths = doc.at("paths").as_object();
    ASSERT_EQ(paths.size(), 2u);
    EXPECT_TRUE(paths.at("/orders/{orderId}").as_object().contains("get"));
    EXPECT_TRUE(paths.at("/orders").as_object().contains("post"));
    EXPECT_TRUE(paths.at("/orders").as_object().contains("get"));
    // getOrder serves two routes: their operationIds differ.
    EXPECT_NE(paths.at("/orders/{orderId}").at("get").at("operationId"),
              paths.at("/orders").at("get").at("operationId"));
}

TEST_F(OpenApiWriter, ARouteHasItsParametersAndTheProfilesSchemas) {
    const auto doc = write();
    const auto& get = doc.at("paths").at("/orders/{orderId}").at("get").as_object();
    const auto& parameters = get.at("parameters").as_array();
    EXPECT_EQ(parameters.at(0).at("name").as_string(), "orderId");
    EXPECT_EQ(parameters.at(0).at("in").as_string(), "path");
    EXPECT_TRUE(parameters.at(0).at("required").as_bool());
    EXPECT_EQ(parameters.at(1).at("name").as_string(), "expand");
    EXPECT_EQ(parameters.at(1).at("schema").at("type").as_string(), "boolean");
    EXPECT_EQ(parameters.at(2).at("name").as_string(), "X-Tenant");
    EXPECT_EQ(parameters.at(2).at("in").as_string(), "header");
    EXPECT_FALSE(get.contains("requestBody"));
    EXPECT_TRUE(get.at("deprecated").as_bool());

    const auto& ok = get.at("responses").at("200").at("content").at("application/json");
    EXPECT_EQ(ok.at("schema").at("$ref").as_string(), "#/components/schemas/Order");
    const auto& order = doc.at("components").at("schemas").at("Order").as_object();
    EXPECT_EQ(order.at("type").as_string(), "object");
    EXPECT_EQ(order.at("required"), (json::array{"orderId", "lines"}));
    EXPECT_EQ(order.at("properties").at("total").at("type").as_string(), "number");
    EXPECT_EQ(order.at("properties").at("lines").at("type").as_string(), "array");
    EXPECT_EQ(order.at("properties").at("lines").at("minItems").to_number<std::int64_t>(), 1);
    // A synchronous route may answer with the receipt too; ferry's refusals share one body.
    EXPECT_TRUE(get.at("responses").as_object().contains("202"));
    for (const auto* code : {"400", "404", "405", "406", "410", "415", "429", "503", "504"}) {
        EXPECT_TRUE(get.at("responses").as_object().contains(code)) << code;
    }

    // The route's output override: a list of the profile's documents.
    const auto& list = doc.at("paths").at("/orders").at("get").at("responses").at("200");
    EXPECT_EQ(list.at("content").at("application/json").at("schema").at("type").as_string(),
              "array");
    EXPECT_TRUE(list.at("headers").as_object().contains("Link"));
}

TEST_F(OpenApiWriter, AnOperationThatAnswersNoneAnswersTheReceipt) {
    const auto doc = write();
    const auto& post = doc.at("paths").at("/orders").at("post").as_object();
    EXPECT_EQ(post.at("responses").at("202").at("$ref").as_string(),
              "#/components/responses/Receipt");
    EXPECT_FALSE(post.at("responses").as_object().contains("200"));
    EXPECT_EQ(post.at("requestBody")
                  .at("content")
                  .at("application/json")
                  .at("schema")
                  .at("type")
                  .as_string(),
              "array");
    EXPECT_EQ(post.at("parameters").as_array().back().at("$ref").as_string(),
              "#/components/parameters/IdempotencyKey");
}

TEST_F(OpenApiWriter, AReaderSeesOnlyTheRoutesItMayCall) {
    openapi_options options;
    options.security = openapi_security::basic;
    options.may_call = [](std::string_view operation) { return operation == "createOrder"; };
    const auto doc = write(options);
    EXPECT_EQ(doc.at("paths").as_object().size(), 1u);
    EXPECT_EQ(doc.at("paths").at("/orders").as_object().size(), 1u);
    EXPECT_EQ(doc.at("security").at(0).as_object().count("basicAuth"), 1u);
    EXPECT_EQ(doc.at("components").at("securitySchemes").at("basicAuth").at("scheme").as_string(),
              "basic");
}

// Every YAML reader reads back exactly the JSON: quoted strings stay strings ("200", "true").
TEST(OpenApiYaml, ReadsBackAsTheSameDocument) {
    const auto value = json::parse(
        R"({"a": {"200": {"b": "true", "c": 1.5, "d": [1, "x: y", {"e": null}], "f": {}, "g": []}},
            "h": "line\nbreak \"quoted\" #not-a-comment"})");
    const auto yaml = YAML::Load(yaml_text(value));
    EXPECT_EQ(yaml["a"]["200"]["b"].as<std::string>(), "true");
    EXPECT_EQ(yaml["a"]["200"]["b"].Tag(), "!");  // a quoted scalar: never a boolean
    EXPECT_DOUBLE_EQ(yaml["a"]["200"]["c"].as<double>(), 1.5);
    EXPECT_EQ(yaml["a"]["200"]["d"][1].as<std::string>(), "x: y");
    EXPECT_TRUE(yaml["a"]["200"]["d"][2]["e"].IsNull());
    EXPECT_TRUE(yaml["a"]["200"]["f"].IsMap());
    EXPECT_EQ(yaml["a"]["200"]["f"].size(), 0u);
    EXPECT_TRUE(yaml["a"]["200"]["g"].IsSequence());
    EXPECT_EQ(yaml["h"].as<std::string>(), "line\nbreak \"quoted\" #not-a-comment");
}

}  // namespace
}  // namespace ferry::engine
