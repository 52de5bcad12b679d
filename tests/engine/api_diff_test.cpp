// What breaks an API's callers between two of its OpenAPI documents (docs/apis.md,
// "Breaking changes"), and what does not.
#include "ferry/engine/apis/api_diff.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ferry::engine {
namespace {

namespace json = boost::json;

// A document with one operation, GET /orders/{id} (or as `op` says), and an Order schema.
json::object document(const std::string& op, const std::string& order_schema) {
    return json::parse(R"({"openapi": "3.0.3", "paths": {"/orders/{id}": {"post": )" + op +
                       R"(}}, "components": {"schemas": {"Order": )" + order_schema + "}}}")
        .as_object();
}

const std::string order = R"({"type": "object", "required": ["id"], "properties": {
    "id": {"type": "string"}, "total": {"type": "number"}}})";

std::string operation(const std::string& params = "", const std::string& answer_status = "200") {
    return R"({"parameters": [{"name": "id", "in": "path", "required": true,
                                "schema": {"type": "string"}})" +
           params + R"(],
              "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
              "responses": {")" +
           answer_status + R"(": {"description": "x", "content": {"application/json":
                  {"schema": {"$ref": "#/components/schemas/Order"}}}},
                            "400": {"description": "x"}}})";
}

// "where: what" of the breaking changes.
std::vector<std::string> breaking(const json::object& before, const json::object& after) {
    std::vector<std::string> out;
    for (const auto& c : diff_openapi(before, after)) {
        if (c.breaking) out.push_back(c.where + ": " + c.what);
    }
    return out;
}

TEST(ApiDiff, NothingChangedIsNothingToReport) {
    EXPECT_TRUE(diff_openapi(document(operation(), order), document(operation(), order)).empty());
}

TEST(ApiDiff, ARemovedRouteBreaksAndAnAddedOneDoesNot) {
    const auto before = document(operation(), order);
    auto after = before;
    after["paths"].as_object()["/orders"] = json::parse(R"({"get": )" + operation() + "}");
    auto changes = diff_openapi(before, after);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].where, "GET /orders");
    EXPECT_FALSE(changes[0].breaking);
    EXPECT_EQ(breaking(after, before), (std::vector<std::string>{"GET /orders: removed"}));
}

TEST(ApiDiff, ARequiredParameterAddedBreaksAnOptionalOneDoesNot) {
    const auto before = document(operation(), order);
    const auto optional = document(
        operation(
            R"(, {"name": "q", "in": "query", "required": false, "schema": {"type": "string"}})"),
        order);
    const auto required = document(
        operation(
            R"(, {"name": "q", "in": "query", "required": true, "schema": {"type": "string"}})"),
        order);
    const auto retyped = document(
        operation(
            R"(, {"name": "q", "in": "query", "required": false, "schema": {"type": "integer"}})"),
        order);
    EXPECT_TRUE(breaking(before, optional).empty());
    EXPECT_EQ(breaking(before, required),
              (std::vector<std::string>{"POST /orders/{id} parameter query q: added, required"}));
    EXPECT_EQ(breaking(optional, required),
              (std::vector<std::string>{"POST /orders/{id} parameter query q: made required"}));
    EXPECT_EQ(breaking(optional, retyped),
              (std::vector<std::string>{
                  "POST /orders/{id} parameter query q: type changed from string to integer"}));
}

TEST(ApiDiff, BodiesBreakWhenTheyNarrow) {
    const auto before = document(operation(), order);
    // A required field added: callers' requests lack it, and their answers... gain it (fine).
    const auto more = document(operation(), R"({"type": "object", "required": ["id", "currency"],
        "properties": {"id": {"type": "string"}, "total": {"type": "number"},
                       "currency": {"type": "string"}}})");
    EXPECT_EQ(breaking(before, more),
              (std::vector<std::string>{"POST /orders/{id} body/currency: added, required"}));
    // A field retyped breaks both ways; a field removed breaks the answers that held it.
    const auto retyped = document(operation(), R"({"type": "object", "required": ["id"],
        "properties": {"id": {"type": "integer"}, "total": {"type": "number"}}})");
    EXPECT_EQ(breaking(before, retyped).size(), 2u);
    const auto fewer = document(operation(), R"({"type": "object", "required": ["id"],
        "properties": {"id": {"type": "string"}}})");
    const auto fewer_breaks = breaking(before, fewer);
    EXPECT_NE(std::find(fewer_breaks.begin(), fewer_breaks.end(),
                        "POST /orders/{id} 200 body/total: removed"),
              fewer_breaks.end());
    // An optional answer field added is no break.
    EXPECT_TRUE(breaking(fewer, before).empty());
}

TEST(ApiDiff, AnotherSuccessStatusBreaks) {
    EXPECT_EQ(breaking(document(operation(), order), document(operation("", "201"), order)),
              (std::vector<std::string>{"POST /orders/{id} 200: no longer answered"}));
}

}  // namespace
}  // namespace ferry::engine
