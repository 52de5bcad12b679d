// The step reader's part for steps that reach outside the current document: map,
// process_call and http_call.
#include <set>

#include "ferry/profiles/xml_name.hpp"
#include "model/step_reader.hpp"

namespace ferry::engine {
using profiles::valid_xml_name;

map_step step_reader::read_map(const YAML::Node& node) const {
    need_map(node, "map", "{output: xml, root: Order, fields: [{from: id, to: OrderId}]}");
    only_keys(node, "map", {"output", "root", "namespace", "fields", "profile", "target_profile"});
    map_step out;
    map_typing typing;
    if (const auto* p = named_profile(node, "profile")) typing.source = {p, &p->root};
    const auto* target = named_profile(node, "target_profile");
    if (target) typing.target = {target, &target->root};
    out.profile = typing.source.profile ? typing.source.profile->name : "";
    out.target_profile = target ? target->name : "";
    // The target profile's format is the default output, and must be the output.
    const auto output = node["output"] ? scalar(node["output"], "output")
                        : target       ? std::string(profiles::to_string(target->format))
                                       : scalar(required(node, "output", "map"), "output");
    if (output == "xml") {
        out.output = map_step::format::xml;
    } else if (output != "json") {
        fail(node["output"].Mark(), "map output must be json or xml");
    }
    if (target && output != profiles::to_string(target->format)) {
        fail(node["output"].Mark(), "output is " + output + " but the target profile '" +
                                        target->name + "' describes " +
                                        std::string(profiles::to_string(target->format)));
    }
    if (target && out.output == map_step::format::xml) {
        out.root = target->root.name;
        out.namespace_uri = target->root.namespace_uri;
    }
    if (node["root"]) {
        if (out.output != map_step::format::xml) {
            fail(node["root"].Mark(), "root names the XML root element; it applies to output xml");
        }
        out.root = scalar(node["root"], "root");
        if (!valid_xml_name(out.root))
            fail(node["root"].Mark(), "root must be an XML element name");
    }
    if (node["namespace"]) out.namespace_uri = scalar(node["namespace"], "namespace");
    if (node["fields"]) out.fields = read_map_fields(node["fields"], typing);
    return out;
}

std::vector<map_field> step_reader::read_map_fields(const YAML::Node& node,
                                                    const map_typing& typing) const {
    if (!node.IsSequence() || node.size() == 0) {
        fail(node.Mark(), "fields must be a list such as [{from: customer/name, to: Buyer}]");
    }
    std::vector<map_field> out;
    for (const auto& entry : node) out.push_back(read_map_field(entry, typing));
    return out;
}

map_field step_reader::read_map_field(const YAML::Node& node, const map_typing& typing) const {
    need_map(node, "a map field", "{from: customer/name, to: Buyer/Name}");
    only_keys(node, "a map field",
              {"to", "from", "constant", "template", "variables", "default", "required", "date",
               "function", "type", "each", "fields"});
    map_field f;
    f.line = node.Mark().line + 1;
    f.to = required_string(node, "to", "a map field");
    // Every segment of the target must be a name; only the last may be an attribute.
    std::string_view rest = f.to;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        auto segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        const bool attribute = !segment.empty() && segment[0] == '@';
        if (attribute) segment.remove_prefix(1);
        if (!valid_xml_name(segment) || (attribute && !rest.empty())) {
            fail(node["to"].Mark(),
                 "to must be element names separated by '/', optionally ending in @attribute");
        }
    }
    const int sources = (node["from"] ? 1 : 0) + (node["constant"] ? 1 : 0) +
                        (node["template"] ? 1 : 0) + (node["each"] ? 1 : 0);
    if (sources != 1) {
        fail(node.Mark(),
             "a map field takes its value from exactly one of from, constant, template or each");
    }
    if (node["from"]) f.from = scalar(node["from"], "from");
    if (node["constant"]) f.constant = scalar(node["constant"], "constant");
    if (node["template"]) {
        f.value = read_template(node, node["template"], "template", &typing.source);
    }
    if (node["default"]) f.fallback = scalar(node["default"], "default");
    if (node["required"]) f.required = boolean(node["required"], "required");
    if (const auto d = node["date"]) {
        need_map(d, "date", "{from: \"yyyy-MM-dd\", to: \"dd.MM.yyyy\"}");
        only_keys(d, "date", {"from", "to"});
        f.date_from = required_string(d, "from", "date");
        f.date_to = required_string(d, "to", "date");
    }
    if (const auto n = node["function"]) {
        const auto name = scalar(n, "function");
        if (name == "upper") {
            f.apply = map_field::function::upper;
        } else if (name == "lower") {
            f.apply = map_field::function::lower;
        } else if (name == "trim") {
            f.apply = map_field::function::trim;
        } else {
            fail(n.Mark(), "function must be upper, lower or trim");
        }
    }
    if (const auto n = node["type"]) {
        const auto name = scalar(n, "type");
        if (name == "string") {
            f.type = map_field::json_type::string;
        } else if (name == "number") {
            f.type = map_field::json_type::number;
        } else if (name == "boolean") {
            f.type = map_field::json_type::boolean;
        } else {
            fail(n.Mark(), "type must be string, number or boolean");
        }
    }
    if (node["each"]) {
        f.each = scalar(node["each"], "each");
        if (f.to.find('@') != std::string::npos) {
            fail(node["to"].Mark(),
                 "an each field repeats elements; its target cannot be an attribute");
        }
        f.fields = read_map_fields(required(node, "fields", "an each field"),
                                   each_typing(node, f, typing));
        if (node["date"] || node["function"] || node["type"] || node["default"]) {
            fail(node.Mark(),
                 "an each field has fields of its own; date, function, type and "
                 "default belong on those");
        }
    } else if (node["fields"]) {
        fail(node["fields"].Mark(), "fields inside a field need each: SOURCE_PATH");
    } else {
        type_map_field(f, node, typing);
    }
    return f;
}

process_call_step step_reader::read_process_call(const YAML::Node& node) const {
    need_map(node, "process_call", "{process: enrichCustomer, wait: true}");
    only_keys(node, "process_call", {"process", "wait"});
    process_call_step out;
    out.process = required_string(node, "process", "process_call");
    if (node["wait"]) out.wait = boolean(node["wait"], "wait");
    return out;
}

queue_send_step step_reader::read_queue_send(const YAML::Node& node) const {
    need_map(node, "queue_send", "{queue: orders, publish: false}");
    only_keys(node, "queue_send", {"queue", "publish"});
    queue_send_step out;
    out.queue = required_string(node, "queue", "queue_send");
    if (!valid_queue_name(out.queue)) fail(node["queue"].Mark(), queue_name_rule);
    if (node["publish"]) out.publish = boolean(node["publish"], "publish");
    return out;
}

http_call_step step_reader::read_http_call(const YAML::Node& node) const {
    need_map(node, "http_call",
             "{method: GET, url: \"https://crm.example.com/customers/{1}\", "
             "variables: [{element: customerId}]}");
    only_keys(
        node, "http_call",
        {"method", "url", "variables", "headers", "body", "content_type", "timeout_ms", "retries",
         "backoff_ms", "fail_on_status", "tls", "max_response_bytes", "max_connections"});
    http_call_step out;
    if (node["method"]) {
        out.method = scalar(node["method"], "method");
        static const std::set<std::string, std::less<>> methods = {"GET",   "POST",   "PUT",
                                                                   "PATCH", "DELETE", "HEAD"};
        if (!methods.contains(out.method)) {
            fail(node["method"].Mark(), "method must be GET, POST, PUT, PATCH, DELETE or HEAD");
        }
    }
    out.send_body = out.method == "POST" || out.method == "PUT" || out.method == "PATCH";
    const auto url_node = required(node, "url", "http_call");
    out.url = read_template(node, url_node, "url");
    // A fixed URL must say where to go; one that starts with a variable (a base URL from
    // the environment, say) is checked when it is rendered.
    const auto url_text = scalar(url_node, "url");
    if (!url_text.starts_with("http://") && !url_text.starts_with("https://") &&
        !url_text.starts_with("{")) {
        fail(url_node.Mark(), "url must start with http://, https:// or a variable such as {1}");
    }
    if (const auto h = node["headers"]) {
        if (!h.IsMap()) fail(h.Mark(), "headers must be a map such as {Accept: application/json}");
        for (const auto& entry : h) {
            const auto name = entry.first.as<std::string>();
            if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos) {
                fail(entry.first.Mark(), "'" + name + "' is not a header name");
            }
            // Header values share the step's variables with the url.
            out.headers.emplace_back(name, read_template(node, entry.second, name));
        }
    }
    if (node["body"]) {
        const auto body = scalar(node["body"], "body");
        if (body == "document") {
            out.send_body = true;
        } else if (body == "none") {
            out.send_body = false;
        } else {
            fail(node["body"].Mark(), "body must be document or none");
        }
    }
    if (node["content_type"]) out.content_type = scalar(node["content_type"], "content_type");
    if (node["timeout_ms"]) {
        out.timeout_ms = number(node["timeout_ms"], "timeout_ms");
        if (out.timeout_ms == 0 || out.timeout_ms > 600'000) {
            fail(node["timeout_ms"].Mark(), "timeout_ms must be from 1 to 600000");
        }
    }
    if (node["retries"]) {
        out.retries = number(node["retries"], "retries");
        if (out.retries > 5) fail(node["retries"].Mark(), "retries must be from 0 to 5");
    }
    if (node["backoff_ms"]) {
        out.backoff_ms = number(node["backoff_ms"], "backoff_ms");
        if (out.backoff_ms > 60'000)
            fail(node["backoff_ms"].Mark(), "backoff_ms must be at most 60000");
    }
    if (node["fail_on_status"])
        out.fail_on_status = boolean(node["fail_on_status"], "fail_on_status");
    if (node["max_response_bytes"]) {
        out.max_response_bytes = number(node["max_response_bytes"], "max_response_bytes");
    }
    if (node["max_connections"]) {
        out.max_connections = number(node["max_connections"], "max_connections");
        if (out.max_connections == 0 || out.max_connections > 10'000)
            fail(node["max_connections"].Mark(), "max_connections must be from 1 to 10000");
    }
    if (const auto tls = node["tls"]) {
        need_map(tls, "tls", "{ca_file: /etc/ferry/partner-ca.pem, verify: true}");
        only_keys(tls, "tls", {"ca_file", "verify"});
        if (tls["ca_file"]) out.ca_file = scalar(tls["ca_file"], "ca_file");
        if (tls["verify"]) out.verify_tls = boolean(tls["verify"], "verify");
    }
    return out;
}

}  // namespace ferry::engine
