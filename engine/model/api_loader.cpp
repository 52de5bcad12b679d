#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "ferry/engine/model/api_definition.hpp"
#include "ferry/engine/model/process.hpp"
#include "ferry/profiles/validation.hpp"
#include "model/profile_bundle.hpp"
#include "model/yaml_reader.hpp"

namespace ferry::engine {
namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

bool all_name_chars(const std::string& text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), name_char);
}

bool parameter_name(const std::string& text) {
    if (text.empty() || (text[0] >= '0' && text[0] <= '9')) return false;
    return std::all_of(text.begin(), text.end(), [](char c) { return name_char(c) && c != '.'; });
}

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto slash = path.find('/', start);
        out.push_back(path.substr(start, slash - start));
        if (slash == std::string::npos) return out;
        start = slash + 1;
    }
}

/// Reads one API definition file; every mistake is a definition_error at its place.
class api_reader {
public:
    explicit api_reader(const std::string& name) : file_(name), yaml_(name) {}

    std::shared_ptr<const api_definition> read(const std::string& text) {
        // The profiles its routes name travel after it, as with processes (bundle_profiles).
        const auto bundle = split_bundle(text);
        profiles_ = read_bundled_profiles(bundle, file_);
        YAML::Node root;
        try {
            root = YAML::Load(std::string(bundle.process_text));
        } catch (const YAML::Exception& e) {
            yaml_.fail(e.mark, "not valid YAML: " + e.msg);
        }
        yaml_.need_map(root, "an API definition", "api: orders\nbase_path: orders/v2\nroutes: ...");
        yaml_.only_keys(root, "the API",
                        {"api", "version", "title", "description", "base_path", "headers", "routes",
                         "soap", "deprecated"});
        auto api = std::make_shared<api_definition>();
        api->source = text;
        api->source_file = file_;
        api->name = yaml_.required_string(root, "api", "an API definition");
        if (!all_name_chars(api->name) || api->name.size() > 64) {
            yaml_.fail(root["api"].Mark(),
                       "an API name is 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (root["version"]) api->version = yaml_.number(root["version"], "version");
        if (root["title"]) api->title = yaml_.scalar(root["title"], "title");
        if (root["description"]) {
            api->description = yaml_.scalar(root["description"], "description");
        }
        read_base_path(root, *api);
        if (const auto headers = root["headers"]) read_headers(headers, *api);
        if (const auto routes = root["routes"]) read_routes(routes, *api);
        if (const auto soap = root["soap"]) read_soap(soap, *api);
        if (api->routes.empty() && api->soap_operations.empty()) {
            yaml_.fail(root.Mark(), "API '" + api->name +
                                        "' serves nothing: give it routes, or soap operations");
        }
        if (const auto deprecated = root["deprecated"]) read_deprecation(deprecated, *api);
        return api;
    }

private:
    void read_base_path(const YAML::Node& root, api_definition& api) {
        const auto node = yaml_.required(root, "base_path", "an API definition");
        api.base_path = yaml_.scalar(node, "base_path");
        if (api.base_path.empty() || api.base_path.front() == '/' || api.base_path.back() == '/') {
            yaml_.fail(node.Mark(),
                       "base_path is segments without slashes around them, such as orders/v2");
        }
        for (const auto& segment : split_path(api.base_path)) {
            if (!all_name_chars(segment)) {
                yaml_.fail(node.Mark(), "base_path segment '" + segment +
                                            "' must be letters, digits, '.', '_' or '-' (no "
                                            "parameters: they belong to routes)");
            }
        }
    }

    void read_headers(const YAML::Node& node, api_definition& api) {
        if (!node.IsSequence()) yaml_.fail(node.Mark(), "headers is a list of header names");
        for (const auto& header : node) {
            auto name = yaml_.scalar(header, "a header name");
            const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
                return name_char(c) && c != '.';
            });
            if (!token) {
                yaml_.fail(header.Mark(),
                           "header name '" + name + "' must be letters, digits, '-' or '_'");
            }
            api.headers.push_back(std::move(name));
        }
    }

    void read_routes(const YAML::Node& node, api_definition& api) {
        if (!node.IsSequence()) yaml_.fail(node.Mark(), "routes is a list of routes");
        std::map<std::string, YAML::Mark> shapes;  // "METHOD path with {} for parameters"
        for (const auto& entry : node) {
            yaml_.need_map(entry, "a route",
                           "method: GET\npath: orders/{orderId}\noperation: getOrder");
            yaml_.only_keys(entry, "a route",
                            {"method", "path", "operation", "summary", "query", "input", "output",
                             "request_profile", "response_profile", "page_size", "content_type",
                             "status", "headers"});
            api_route route;
            route.method = yaml_.required_string(entry, "method", "a route");
            std::transform(route.method.begin(), route.method.end(), route.method.begin(),
                           [](char c) { return static_cast<char>(std::toupper(c)); });
            static const std::set<std::string> methods{"GET", "POST", "PUT", "PATCH", "DELETE"};
            if (!methods.contains(route.method)) {
                yaml_.fail(
                    entry["method"].Mark(),
                    "method must be GET, POST, PUT, PATCH or DELETE, not '" + route.method + "'");
            }
            route.path = yaml_.required_string(entry, "path", "a route");
            read_segments(entry["path"], route);
            route.operation = yaml_.required_string(entry, "operation", "a route");
            if (entry["summary"]) route.summary = yaml_.scalar(entry["summary"], "summary");
            for (const auto* key : {"input", "output"}) {
                if (!entry[key]) continue;
                auto value = yaml_.scalar(entry[key], key);
                if (!parse_data_type(value)) {
                    yaml_.fail(entry[key].Mark(), std::string(key) + " '" + value +
                                                      "' is not a data type (single_json, "
                                                      "multiple_json, single_xml, ...)");
                }
                (std::string(key) == "input" ? route.input : route.output) = std::move(value);
            }
            if (entry["request_profile"]) {
                route.request_profile = yaml_.scalar(entry["request_profile"], "request_profile");
                route.request_validator = compiled(entry["request_profile"], route.request_profile);
            }
            if (entry["response_profile"]) {
                route.response_profile =
                    yaml_.scalar(entry["response_profile"], "response_profile");
                route.response_validator =
                    compiled(entry["response_profile"], route.response_profile);
            }
            if (entry["page_size"]) route.page_size = yaml_.number(entry["page_size"], "page_size");
            if (entry["content_type"]) {
                route.content_type = yaml_.scalar(entry["content_type"], "content_type");
            }
            if (entry["status"]) {
                const auto status = yaml_.number(entry["status"], "status");
                if (status < 200 || status > 299) {
                    yaml_.fail(entry["status"].Mark(),
                               "status is the HTTP status of a successful answer (200 to 299)");
                }
                route.status = static_cast<std::uint16_t>(status);
            }
            if (const auto query = entry["query"]) read_query(query, route);
            if (const auto headers = entry["headers"]) {
                yaml_.need_map(headers, "a route's headers", "{X-Api-Variant: beta}");
                for (const auto& h : headers) {
                    const auto name = h.first.as<std::string>();
                    if (!all_name_chars(name)) {
                        yaml_.fail(h.first.Mark(), "a header name is letters, digits, '-' or '_'");
                    }
                    route.headers[name] = yaml_.scalar(h.second, "header " + name);
                }
            }

            std::string shape = route.method + " ";
            for (const auto& s : route.segments) shape += "/" + (s.parameter ? "{}" : s.text);
            // Routes told apart by their routing headers are no conflict.
            for (const auto& [name, value] : route.headers) shape += " " + name + "=" + value;
            if (const auto earlier = shapes.find(shape); earlier != shapes.end()) {
                yaml_.fail(entry.Mark(), "route " + route.method + " " + route.path +
                                             " is the same as the route at line " +
                                             std::to_string(earlier->second.line + 1) +
                                             " (the same method, and paths that match alike)");
            }
            shapes.emplace(shape, entry.Mark());
            api.routes.push_back(std::move(route));
        }
    }

    void read_segments(const YAML::Node& node, api_route& route) {
        const std::string& path = route.path;
        if (path == "/") return;  // the base path itself
        if (path.front() == '/' || path.back() == '/') {
            yaml_.fail(node.Mark(),
                       "a route's path is relative to the API's base path, without "
                       "slashes around it, such as orders/{orderId} ('/' for the "
                       "base path itself)");
        }
        std::set<std::string> names;
        for (const auto& text : split_path(path)) {
            if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
                auto name = text.substr(1, text.size() - 2);
                if (!parameter_name(name)) {
                    yaml_.fail(node.Mark(), "path parameter '" + text +
                                                "' must be named with letters, digits and '_' "
                                                "(not starting with a digit)");
                }
                if (!names.insert(name).second) {
                    yaml_.fail(node.Mark(), "path parameter '" + name + "' appears twice");
                }
                route.segments.push_back({std::move(name), true});
            } else if (all_name_chars(text)) {
                route.segments.push_back({text, false});
            } else {
                yaml_.fail(node.Mark(), "path segment '" + text +
                                            "' must be letters, digits, '.', '_' or '-', or a "
                                            "parameter such as {orderId}");
            }
        }
    }

    void read_query(const YAML::Node& node, api_route& route) {
        yaml_.need_map(node, "query", "status: {type: string, required: true}");
        for (const auto& entry : node) {
            const auto name = entry.first.as<std::string>();
            if (!parameter_name(name)) {
                yaml_.fail(entry.first.Mark(), "query parameter '" + name +
                                                   "' must be named with letters, digits and '_'");
            }
            const auto& spec = entry.second;
            yaml_.need_map(spec, "query parameter '" + name + "'", "{type: integer}");
            yaml_.only_keys(spec, "query parameter '" + name + "'", {"type", "required"});
            query_parameter q;
            if (spec["type"]) {
                static const std::map<std::string, query_parameter::type> types{
                    {"string", query_parameter::type::string},
                    {"integer", query_parameter::type::integer},
                    {"number", query_parameter::type::number},
                    {"boolean", query_parameter::type::boolean}};
                const auto type = yaml_.scalar(spec["type"], "type");
                const auto found = types.find(type);
                if (found == types.end()) {
                    yaml_.fail(spec["type"].Mark(),
                               "a query parameter's type is string, "
                               "integer, number or boolean, not '" +
                                   type + "'");
                }
                q.kind = found->second;
            }
            if (spec["required"]) q.required = yaml_.boolean(spec["required"], "required");
            route.query.emplace(name, q);
        }
    }

    void read_soap(const YAML::Node& node, api_definition& api) {
        yaml_.need_map(node, "soap", "operations: [submitInvoice]");
        yaml_.only_keys(node, "soap", {"operations"});
        const auto operations = yaml_.required(node, "operations", "soap");
        if (!operations.IsSequence()) {
            yaml_.fail(operations.Mark(), "soap operations is a list of listen operations");
        }
        for (const auto& op : operations) {
            api.soap_operations.push_back(yaml_.scalar(op, "a soap operation"));
        }
    }

    void read_deprecation(const YAML::Node& node, api_definition& api) {
        yaml_.need_map(node, "deprecated", "{sunset: 2027-06-30, successor: orders/v2}");
        yaml_.only_keys(node, "deprecated", {"sunset", "successor"});
        api_deprecation d;
        d.sunset = yaml_.required_string(node, "sunset", "deprecated");
        const auto& s = d.sunset;
        const bool date = s.size() == 10 && s[4] == '-' && s[7] == '-' &&
                          std::all_of(s.begin(), s.end(),
                                      [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
        if (!date) yaml_.fail(node["sunset"].Mark(), "sunset is a date: YYYY-MM-DD");
        if (node["successor"]) d.successor = yaml_.scalar(node["successor"], "successor");
        api.deprecated = std::move(d);
    }

    // A profile the definition carries, ready to check documents with.
    std::shared_ptr<const profiles::validator> compiled(const YAML::Node& node,
                                                        const std::string& name) const {
        const auto found = profiles_.find(name);
        if (found == profiles_.end()) yaml_.fail(node.Mark(), yaml_reader::missing_profile(name));
        auto validator = profiles::validator::compile(found->second);
        if (!validator) yaml_.fail(node.Mark(), validator.error());
        return *validator;
    }

    std::string file_;
    yaml_reader yaml_;
    std::map<std::string, profiles::profile> profiles_;
};

}  // namespace

bool is_api_definition_text(const std::string& text) {
    try {
        const auto root = YAML::Load(text);
        return root.IsMap() && root["api"];
    } catch (const YAML::Exception&) {
        return false;
    }
}

std::shared_ptr<const api_definition> load_api_text(const std::string& text,
                                                    const std::string& name) {
    try {
        return api_reader(name).read(text);
    } catch (const YAML::Exception& e) {
        // As load_process_text: an unforeseen shape is still an error at its place.
        yaml_reader(name).fail(e.mark, "this cannot be read as an API definition: " + e.msg);
    }
}

}  // namespace ferry::engine
