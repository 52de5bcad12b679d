// The OpenAPI 3.0.3 document of an API version (docs/apis.md, "OpenAPI"). Partners generate
// clients from it, so it says exactly what ferry does: the bodies its routes take and answer,
// and every refusal ferry itself makes, with the one error body they share.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ferry/engine/apis/openapi.hpp"
#include "ferry/profiles/json_schema.hpp"
#include "ferry/profiles/validation.hpp"

namespace ferry::engine {
namespace {

namespace json = boost::json;

// ferry's own refusals (docs/http-api.md, "Errors"), each with the shared error body.
constexpr std::pair<const char*, const char*> refusals[] = {
    {"400",
     "The request does not fit the route: a query parameter, the body, or a document "
     "that does not fit the request profile (`problem` says where)."},
    {"401", "The caller is not identified."},
    {"403", "The caller may not call this operation."},
    {"404", "No such route, or no process serves its operation."},
    {"405", "The path takes other methods (see Allow)."},
    {"406", "Accept takes nothing the route answers."},
    {"413", "The body is larger than the server takes."},
    {"415", "The body's Content-Type is not what the route takes."},
    {"429", "Too many requests; retry after the pause."},
    {"503",
     "The server is starting, draining, the operation is paused, or it runs its most "
     "executions at once; retry."},
    {"504", "An answer that runs in memory did not come in time; nothing was stored."},
};

json::object schema_ref(const std::string& to) { return {{"$ref", to}}; }

json::object string_schema() { return {{"type", "string"}}; }

bool json_type(data_type t) { return t == data_type::single_json || t == data_type::multiple_json; }

bool xml_type(data_type t) { return t == data_type::single_xml || t == data_type::multiple_xml; }

bool list_type(data_type t) {
    return t == data_type::multiple_json || t == data_type::multiple_xml;
}

// What a body of `type` looks like. A profile's document schema is held once in
// components.schemas. An XML document is that schema (its element names and namespaces, for
// generators) or its text matching the profile's pattern (for validators that see XML bodies
// as text, such as Prism).
json::object body_schema(data_type type, const std::shared_ptr<const profiles::validator>& profile,
                         json::object& schemas) {
    json::object one;
    if (profile) {
        const auto& p = profile->profile();
        if (!schemas.contains(p.name)) schemas[p.name] = profiles::openapi_schema(p);
        one = schema_ref("#/components/schemas/" + p.name);
        if (type == data_type::single_xml && p.format == profiles::profile_format::xml) {
            json::object text{{"type", "string"}, {"pattern", profiles::xml_document_pattern(p)}};
            one = {{"oneOf", json::array{std::move(one), std::move(text)}}};
        }
    } else if (!json_type(type)) {
        one = {{"type", "string"}};
    }
    if (!list_type(type)) return one;
    if (type == data_type::multiple_xml) return {{"type", "string"}};  // <ObjectResponseList>
    return {{"type", "array"}, {"items", std::move(one)}};
}

std::string media_type(data_type type, const std::string& single_data_type) {
    if (json_type(type)) return "application/json";
    if (xml_type(type)) return "application/xml";
    switch (type) {
        case data_type::multipart:
            return "multipart/form-data";
        case data_type::ndjson:
            return "application/x-ndjson";
        default:
            return single_data_type;
    }
}

// The JSON sample request beside the process's file (<stem>.input.json), as an example.
json::value sample_of(const process& p, data_type input) {
    namespace fs = std::filesystem;
    if (p.source_file.empty()) return nullptr;
    const auto stem = fs::path(p.source_file).replace_extension();
    // XML samples stay out: an OpenAPI 3.0 example of an XML body is checked as JSON.
    if (!json_type(input)) return nullptr;
    std::ifstream in(stem.string() + ".input.json", std::ios::binary);
    if (!in) return nullptr;
    std::ostringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    auto parsed = json::parse(text.str(), ec);
    return ec ? json::value(nullptr) : parsed;
}

json::object parameter(const std::string& name, const char* in, bool required, json::object schema,
                       const std::string& description = "") {
    json::object out{{"name", name}, {"in", in}, {"required", required}};
    if (!description.empty()) out["description"] = description;
    out["schema"] = std::move(schema);
    return out;
}

json::object query_schema(query_parameter::type t) {
    switch (t) {
        case query_parameter::type::integer:
            return {{"type", "integer"}};
        case query_parameter::type::number:
            return {{"type", "number"}};
        case query_parameter::type::boolean:
            return {{"type", "boolean"}};
        case query_parameter::type::string:
            break;
    }
    return string_schema();
}

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

json::object components(bool deprecated) {
    json::object error_schema{
        {"type", "object"},
        {"required", json::array{"error"}},
        {"properties",
         json::object{
             {"error", json::object{{"type", "string"},
                                    {"description", "what went wrong, as a stable name"}}},
             {"detail", json::object{{"type", "string"}, {"description", "a sentence"}}},
             {"execution_id", string_schema()},
             {"step", string_schema()},
             {"message", string_schema()},
             {"problem", json::object{{"type", "object"},
                                      {"description", "where a document does not fit its profile"},
                                      {"properties",
                                       json::object{{"profile", string_schema()},
                                                    {"document", json::object{{"type", "integer"}}},
                                                    {"path", string_schema()},
                                                    {"line", json::object{{"type", "integer"}}},
                                                    {"column", json::object{{"type", "integer"}}},
                                                    {"rule", string_schema()}}}}},
         }}};
    json::object receipt_schema{
        {"type", "object"},
        {"required", json::array{"execution_id", "document_count", "documents", "durability"}},
        {"properties",
         json::object{
             {"execution_id", string_schema()},
             {"document_count", json::object{{"type", "integer"}}},
             {"documents", json::object{{"type", "array"}, {"items", string_schema()}}},
             {"durability", json::object{{"type", "string"},
                                         {"description", "how the documents were stored (fsync)"}}},
             {"repeat", json::object{{"type", "boolean"}}},
         }}};
    json::object out;
    out["schemas"] =
        json::object{{"Error", std::move(error_schema)}, {"Receipt", std::move(receipt_schema)}};
    json::object responses;
    const auto error = [](const char* description) {
        return json::object{
            {"description", description},
            {"content",
             json::object{{"application/json",
                           json::object{{"schema", schema_ref("#/components/schemas/Error")}}}}}};
    };
    for (const auto& [code, text] : refusals) {
        responses[std::string("Error") + code] = error(text);
    }
    responses["Error500"] = error(
        "The execution failed (execution_failed names the step), or "
        "the store did.");
    if (deprecated) {
        responses["Error410"] = error("This API version is past its sunset date (api_sunset).");
    }
    out["responses"] = std::move(responses);
    out["responses"].as_object().emplace(
        "Receipt",
        json::object{{"description",
                      "The documents are stored (fsync) and the process runs on them; follow it at "
                      "the Location."},
                     {"headers",
                      json::object{{"Location", json::object{{"schema", string_schema()}}},
                                   {"X-Execution-Id", json::object{{"schema", string_schema()}}}}},
                     {"content",
                      json::object{{"application/json",
                                    json::object{{"schema",
                                                  schema_ref("#/components/schemas/Receipt")}}}}}});
    out["parameters"] = json::object{
        {"IdempotencyKey",
         parameter("Idempotency-Key", "header", false, string_schema(),
                   "A repeated request with the same key is answered as the first one, and "
                   "stored once.")},
        {"Prefer", parameter("Prefer", "header", false, string_schema(),
                             "`respond-async` answers with the receipt at once; `wait=<s>` "
                             "waits at most that long for the reply.")},
        {"MaxWait",
         parameter("X-Max-Wait", "header", false, json::object{{"type", "integer"}, {"minimum", 0}},
                   "Wait at most this many milliseconds for the reply; then the "
                   "receipt.")},
    };
    return out;
}

json::object operation_of(const api_definition& api, const api_route& route, const process& p,
                          const std::string& operation_id, json::object& schemas) {
    const auto input = route.input.empty() ? p.listen.input : *parse_data_type(route.input);
    const auto output = route.output.empty() ? p.listen.output : *parse_data_type(route.output);
    const auto result_type =
        route.content_type.empty() ? p.listen.result_content_type : route.content_type;
    json::object op;
    op["operationId"] = operation_id;
    op["summary"] = route.summary.empty() ? route.operation : route.summary;
    if (api.deprecated) op["deprecated"] = true;

    json::array parameters;
    for (const auto& segment : route.segments) {
        if (segment.parameter) {
            parameters.push_back(parameter(segment.text, "path", true, string_schema()));
        }
    }
    for (const auto& [name, q] : route.query) {
        parameters.push_back(parameter(name, "query", q.required, query_schema(q.kind)));
    }
    if (list_type(output) && route.method == "GET") {
        parameters.push_back(parameter("moreDataToken", "query", false, string_schema(),
                                       "The next page of a long list (from the Link header)."));
    }
    for (const auto& header : api.headers) {
        if (route.headers.contains(header)) continue;
        parameters.push_back(parameter(header, "header", false, string_schema()));
    }
    for (const auto& [name, value] : route.headers) {
        parameters.push_back(
            parameter(name, "header", true,
                      json::object{{"type", "string"}, {"enum", json::array{json::value(value)}}},
                      "Routes the call to this operation."));
    }
    const bool has_body = route.method != "GET" && route.method != "DELETE";
    if (has_body) parameters.push_back(schema_ref("#/components/parameters/IdempotencyKey"));
    if (output != data_type::none) {
        parameters.push_back(schema_ref("#/components/parameters/Prefer"));
        parameters.push_back(schema_ref("#/components/parameters/MaxWait"));
    }
    op["parameters"] = std::move(parameters);

    if (has_body) {
        const auto& profile =
            route.request_validator ? route.request_validator : p.listen.request_profile;
        json::object media{{"schema", body_schema(input, profile, schemas)}};
        if (auto sample = sample_of(p, input); !sample.is_null()) {
            media["example"] = std::move(sample);
        }
        op["requestBody"] =
            json::object{{"required", true},
                         {"content", json::object{{media_type(input, "*/*"), std::move(media)}}}};
    }

    json::object responses;
    if (output == data_type::none) {
        responses["202"] = schema_ref("#/components/responses/Receipt");
    } else {
        json::object answer;
        answer["description"] = "The process's answer.";
        json::object headers{{"X-Execution-Id", json::object{{"schema", string_schema()}}}};
        if (list_type(output)) {
            headers["Link"] = json::object{
                {"description", "`<...>; rel=\"next\"`: where the next page of a long list is"},
                {"schema", string_schema()}};
        }
        answer["headers"] = std::move(headers);
        json::object schema = body_schema(
            output, route.response_validator ? route.response_validator : p.listen.response_profile,
            schemas);
        if (output == data_type::single_data) schema = {{"type", "string"}};
        answer["content"] = json::object{
            {media_type(output, result_type), json::object{{"schema", std::move(schema)}}}};
        responses[std::to_string(route.status == 0 ? 200 : route.status)] = std::move(answer);
        // Prefer: respond-async, or no answer within the wait: the receipt, to follow later.
        if (route.status != 202) responses["202"] = schema_ref("#/components/responses/Receipt");
    }
    for (const auto& [code, text] : refusals) {
        responses[code] = schema_ref(std::string("#/components/responses/Error") + code);
    }
    if (api.deprecated) responses["410"] = schema_ref("#/components/responses/Error410");
    responses["500"] = schema_ref("#/components/responses/Error500");
    op["responses"] = std::move(responses);
    return op;
}

}  // namespace

json::object write_openapi(const api_definition& api, const registry& processes,
                           const openapi_options& options) {
    json::object doc;
    doc["openapi"] = "3.0.3";
    json::object info;
    info["title"] = api.title.empty() ? api.name : api.title;
    auto description = api.description;
    if (api.deprecated) {
        description += (description.empty() ? "" : "\n\n") + std::string("Deprecated");
        if (!api.deprecated->sunset.empty()) {
            description += ": from " + api.deprecated->sunset + " on, calls answer 410";
        }
        if (!api.deprecated->successor.empty()) {
            description += "; its successor is /ws/rest/" + api.deprecated->successor;
        }
        description += ".";
    }
    if (!description.empty()) info["description"] = description;
    info["version"] = std::to_string(api.version);
    doc["info"] = std::move(info);
    doc["servers"] =
        json::array{json::object{{"url", options.server_url + "/ws/rest/" + api.base_path}}};

    std::map<std::string, int> uses;  // operationIds must be unique
    for (const auto& route : api.routes) ++uses[route.operation];
    json::object schemas;
    json::object paths;
    for (const auto& route : api.routes) {
        const auto p = processes.by_operation(route.operation);
        if (!p) continue;
        if (options.may_call && !options.may_call(route.operation)) continue;
        const auto id = uses[route.operation] == 1
                            ? route.operation
                            : route.operation + "_" + lower(route.method) + "_" +
                                  std::to_string(&route - api.routes.data() + 1);
        const auto key = route.path == "/" ? std::string("/") : "/" + route.path;
        auto& item = paths[key];
        if (!item.is_object()) item = json::object{};
        // OpenAPI has one operation per path and method: of routes told apart only by their
        // routing headers, the first is described.
        if (item.as_object().contains(lower(route.method))) continue;
        item.as_object()[lower(route.method)] = operation_of(api, route, *p, id, schemas);
    }
    doc["paths"] = std::move(paths);
    auto parts = components(api.deprecated.has_value());
    for (auto& [name, schema] : schemas) parts["schemas"].as_object()[name] = std::move(schema);
    if (options.security == openapi_security::basic) {
        parts["securitySchemes"] =
            json::object{{"basicAuth", json::object{{"type", "http"}, {"scheme", "basic"}}}};
        doc["security"] = json::array{json::object{{"basicAuth", json::array{}}}};
    } else {
        doc["security"] = json::array{};  // callers need no credentials
    }
    doc["components"] = std::move(parts);
    if (options.security == openapi_security::client_certificate) {
        // OpenAPI 3.0 has no scheme for client certificates (3.1's mutualTLS): say it.
        doc["info"].as_object()["x-ferry-authentication"] = "client-certificate";
    }
    return doc;
}

}  // namespace ferry::engine
