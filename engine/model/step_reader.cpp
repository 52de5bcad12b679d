#include "model/step_reader.hpp"

#include <algorithm>
#include <compare>
#include <filesystem>
#include <regex>

namespace ferry::engine {

step_list step_reader::read_path(const YAML::Node& node, const std::string& what) {
    if (!node.IsSequence()) fail(node.Mark(), what + " must be a list of steps");
    step_list out;
    const step* ender = nullptr;
    for (const auto& entry : node) {
        if (ender) {
            const bool opens_paths = std::holds_alternative<branch_step>(ender->action) ||
                                     std::holds_alternative<decision_step>(ender->action) ||
                                     std::holds_alternative<route_step>(ender->action) ||
                                     std::holds_alternative<try_catch_step>(ender->action);
            fail(entry.Mark(),
                 opens_paths ? "this step follows the " + std::string(step_kind(*ender)) +
                                   " step '" + ender->id +
                                   "', which ends its path: put it inside one of that step's paths"
                             : "this step can never run: the " + std::string(step_kind(*ender)) +
                                   " step '" + ender->id + "' before it passes no documents on");
        }
        out.push_back(read_step(entry));
        const auto& s = out.back();
        // Steps that open paths end theirs; return, stop and exception pass nothing on.
        if (std::holds_alternative<branch_step>(s.action) ||
            std::holds_alternative<decision_step>(s.action) ||
            std::holds_alternative<route_step>(s.action) ||
            std::holds_alternative<try_catch_step>(s.action) ||
            std::holds_alternative<return_step>(s.action) ||
            std::holds_alternative<stop_step>(s.action) ||
            std::holds_alternative<exception_step>(s.action)) {
            ender = &out.back();
        }
    }
    return out;
}

step step_reader::read_step(const YAML::Node& node) {
    if (!node.IsMap()) fail(node.Mark(), "a step must be a map such as '- message: {...}'");
    step s;
    s.line = node.Mark().line + 1;
    s.column = node.Mark().column + 1;
    ++step_count_;
    s.id = node["id"] ? scalar(node["id"], "id") : "step" + std::to_string(step_count_);
    if (!ids_.insert(s.id).second) fail(node.Mark(), "step id '" + s.id + "' is used twice");
    int kinds = 0;
    for (const auto& entry : node) {
        const auto key = entry.first.as<std::string>();
        if (key == "id") continue;
        ++kinds;
        const auto& body = entry.second;
        if (key == "message") {
            s.action = read_message(body);
        } else if (key == "set_properties") {
            s.action = read_set_properties(body);
        } else if (key == "branch") {
            s.action = read_branch(body);
        } else if (key == "decision") {
            s.action = read_decision(body);
        } else if (key == "route") {
            s.action = read_route(body);
        } else if (key == "split") {
            s.action = read_split(body);
        } else if (key == "combine") {
            s.action = read_combine(body);
        } else if (key == "return") {
            s.action = read_return(body);
            if (!first_return_) first_return_ = entry.first.Mark();
        } else if (key == "stop") {
            s.action = read_stop(body);
        } else if (key == "exception") {
            s.action = read_exception(body);
        } else if (key == "try_catch") {
            s.action = read_try_catch(body);
        } else if (key == "file_write") {
            s.action = read_file_write(body);
        } else if (key == "map") {
            s.action = read_map(body);
        } else if (key == "process_call") {
            s.action = read_process_call(body);
        } else if (key == "http_call") {
            s.action = read_http_call(body);
        } else if (key == "queue_send") {
            s.action = read_queue_send(body);
        } else {
            fail(entry.first.Mark(),
                 "unknown step '" + key +
                     "'; steps are message, set_properties, branch, decision, route, split, "
                     "combine, map, return, stop, exception, try_catch, process_call, "
                     "http_call, file_write and queue_send");
        }
    }
    if (kinds != 1) fail(node.Mark(), "a step names exactly one step kind besides its id");
    return s;
}

message_step step_reader::read_message(const YAML::Node& node) const {
    need_map(node, "message", "{template: \"{1}\", variables: [current_data]}");
    only_keys(node, "message", {"template", "variables", "combine", "profile"});
    const auto typing = typing_of(node);
    message_step out{
        read_template(node, required(node, "template", "message"), "template", &typing)};
    if (node["combine"]) out.combine = boolean(node["combine"], "combine");
    return out;
}

set_properties_step step_reader::read_set_properties(const YAML::Node& node) const {
    if (!node.IsSequence() || node.size() == 0) {
        fail(node.Mark(),
             "set_properties needs a list such as "
             "[{document: region, value: {static: EU}}]");
    }
    set_properties_step out;
    for (const auto& entry : node) {
        need_map(entry, "a property assignment", "{process: customer, value: current_data}");
        only_keys(entry, "a property assignment",
                  {"document", "process", "value", "template", "variables"});
        property_assignment a;
        if (entry["document"] && entry["process"]) {
            fail(entry.Mark(), "an assignment sets either a document or a process property");
        }
        if (entry["document"]) {
            a.name = required_string(entry, "document", "the assignment");
        } else if (entry["process"]) {
            a.target = property_assignment::scope::process;
            a.name = required_string(entry, "process", "the assignment");
        } else {
            fail(entry.Mark(), "an assignment needs 'document: NAME' or 'process: NAME'");
        }
        if (entry["value"] && entry["template"]) {
            fail(entry.Mark(), "an assignment takes a value or a template, not both");
        }
        if (entry["value"]) {
            auto single = message_template::parse("{1}", 1);
            a.value = std::move(*single);
            a.value.set_variables({read_variable(entry["value"])});
        } else if (entry["template"]) {
            a.value = read_template(entry, entry["template"], "template");
        } else {
            fail(entry.Mark(), "an assignment needs a value (a variable) or a template");
        }
        out.assignments.push_back(std::move(a));
    }
    return out;
}

branch_step step_reader::read_branch(const YAML::Node& node) {
    need_map(node, "branch", "{paths: [{steps: [...]}, {steps: [...]}]}");
    only_keys(node, "branch", {"paths"});
    const auto paths = required(node, "paths", "branch");
    if (!paths.IsSequence() || paths.size() < 2 || paths.size() > 25) {
        fail(paths.Mark(), "a branch has from 2 to 25 paths");
    }
    branch_step out;
    for (const auto& path : paths) {
        need_map(path, "a branch path", "{steps: [...]}");
        only_keys(path, "a branch path", {"steps"});
        out.paths.push_back(read_path(required(path, "steps", "a branch path"), "steps"));
    }
    return out;
}

comparison step_reader::read_comparison(const YAML::Node& node) const {
    static const std::pair<std::string_view, comparison> names[] = {
        {"=", comparison::equal},     {"!=", comparison::not_equal},
        {"<", comparison::less},      {"<=", comparison::less_equal},
        {">", comparison::greater},   {">=", comparison::greater_equal},
        {"regex", comparison::regex}, {"wildcard", comparison::wildcard}};
    const auto text = scalar(node, "op");
    for (const auto& [name, op] : names) {
        if (name == text) return op;
    }
    fail(node.Mark(), "op must be one of =, !=, <, <=, >, >=, regex, wildcard");
}

decision_step step_reader::read_decision(const YAML::Node& node) {
    need_map(node, "decision",
             "{left: {document_property: region}, op: \"=\", right: {static: EU}, "
             "then: [...], else: [...]}");
    only_keys(node, "decision", {"left", "op", "right", "then", "else", "profile"});
    decision_step out;
    const auto typing = typing_of(node);
    out.left = read_variable(required(node, "left", "decision"), &typing);
    out.op = read_comparison(required(node, "op", "decision"));
    out.right = read_variable(required(node, "right", "decision"), &typing);
    check_typed_comparison(out, node);
    if (out.op == comparison::regex && out.right.kind == variable_kind::static_text) {
        try {
            std::regex check(out.right.argument);
        } catch (const std::regex_error& e) {
            fail(node["right"].Mark(),
                 "this is not a valid regular expression: " + std::string(e.what()));
        }
    }
    if (node["then"]) out.if_true = read_path(node["then"], "then");
    if (node["else"]) out.if_false = read_path(node["else"], "else");
    return out;
}

route_step step_reader::read_route(const YAML::Node& node) {
    need_map(node, "route",
             "{value: {document_property: region}, routes: [{when: EU, steps: [...]}], "
             "default: [...]}");
    only_keys(node, "route", {"value", "routes", "default", "profile"});
    route_step out;
    const auto typing = typing_of(node);
    out.value = read_variable(required(node, "value", "route"), &typing);
    const auto shape = out.value.output_shape();
    const auto routes = required(node, "routes", "route");
    if (!routes.IsSequence() || routes.size() == 0) {
        fail(routes.Mark(), "routes must be a list of {when: VALUE, steps: [...]}");
    }
    for (const auto& r : routes) {
        need_map(r, "a route", "{when: EU, steps: [...]}");
        only_keys(r, "a route", {"when", "steps"});
        route_step::route route;
        route.value = scalar(required(r, "when", "a route"), "when");
        // A typed value routes by value: 7 and 7.0 (or two spellings of a date) are one.
        if (shape && !route.value.empty()) {
            auto typed = profiles::read_typed(route.value, shape->type, shape->mask);
            if (!typed) {
                fail(r["when"].Mark(), "when " + typed.error() + ", but the value '" +
                                           out.value.argument + "' is read as " + describe(*shape) +
                                           " (profile " + out.value.profile + ")");
            }
            route.typed = std::move(*typed);
        }
        for (const auto& earlier : out.routes) {
            const bool same = route.typed && earlier.typed
                                  ? std::is_eq(route.typed->compare(*earlier.typed))
                                  : route.value == earlier.value;
            if (same) {
                fail(r["when"].Mark(), "the value '" + route.value +
                                           "' is routed twice; the first "
                                           "route would always win");
            }
        }
        route.steps = read_path(required(r, "steps", "a route"), "steps");
        out.routes.push_back(std::move(route));
    }
    if (node["default"]) out.otherwise = read_path(node["default"], "default");
    return out;
}

split_step step_reader::read_split(const YAML::Node& node) const {
    need_map(node, "split", "{by: json_array, path: order.lines} or {by: lines}");
    only_keys(node, "split", {"by", "path"});
    split_step out;
    const auto by = scalar(required(node, "by", "split"), "by");
    if (by == "lines") {
        out.by = split_step::format::lines;
        if (node["path"]) fail(node["path"].Mark(), "a split by lines takes no path");
    } else if (by == "json_array") {
        if (node["path"]) {
            const auto path = scalar(node["path"], "path");
            std::size_t start = 0;
            while (start <= path.size()) {
                const auto dot = path.find('.', start);
                auto key =
                    path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
                if (key.empty()) fail(node["path"].Mark(), "path has an empty key: write a.b.c");
                out.path.push_back(std::move(key));
                if (dot == std::string::npos) break;
                start = dot + 1;
            }
        }
    } else {
        fail(node["by"].Mark(), "split by must be json_array or lines");
    }
    return out;
}

combine_step step_reader::read_combine(const YAML::Node& node) const {
    need_map(node, "combine", "{into: json_array}");
    only_keys(node, "combine", {"into", "element", "separator"});
    combine_step out;
    const auto into = scalar(required(node, "into", "combine"), "into");
    if (into == "json_array") {
        out.into = combine_step::format::json_array;
    } else if (into == "xml_list") {
        out.into = combine_step::format::xml_list;
        if (node["element"]) out.element = scalar(node["element"], "element");
        if (out.element.empty() || out.element.find_first_of("<>&\"' /") != std::string::npos) {
            fail(node["element"].Mark(), "element must be an XML element name");
        }
    } else if (into == "concatenate") {
        out.into = combine_step::format::concatenate;
        if (node["separator"]) out.separator = scalar(node["separator"], "separator");
    } else {
        fail(node["into"].Mark(), "combine into must be json_array, xml_list or concatenate");
    }
    if (node["element"] && out.into != combine_step::format::xml_list) {
        fail(node["element"].Mark(), "element applies to into: xml_list only");
    }
    if (node["separator"] && out.into != combine_step::format::concatenate) {
        fail(node["separator"].Mark(), "separator applies to into: concatenate only");
    }
    return out;
}

return_step step_reader::read_return(const YAML::Node& node) const {
    return_step out;
    if (!node || node.IsNull()) return out;
    need_map(node, "return", "{} or {respond: early}");
    only_keys(node, "return", {"respond"});
    if (node["respond"]) {
        const auto respond = scalar(node["respond"], "respond");
        if (respond == "early") {
            out.when = return_step::respond::early;
        } else if (respond != "end") {
            fail(node["respond"].Mark(), "respond must be end (the default) or early");
        }
    }
    return out;
}

// "path" (default) or "execution".
bool step_reader::read_scope(const YAML::Node& node, const std::string& step,
                             const std::string& local) const {
    if (!node["scope"]) return false;
    const auto scope = scalar(node["scope"], "scope");
    if (scope == "execution") return true;
    if (scope != local) {
        fail(node["scope"].Mark(),
             step + " scope must be " + local + " (the default) or execution");
    }
    return false;
}

stop_step step_reader::read_stop(const YAML::Node& node) const {
    stop_step out;
    if (!node || node.IsNull()) return out;
    need_map(node, "stop", "{} or {scope: execution}");
    only_keys(node, "stop", {"scope"});
    out.execution = read_scope(node, "stop", "path");
    return out;
}

exception_step step_reader::read_exception(const YAML::Node& node) const {
    need_map(node, "exception", "{message: \"order {1} has no lines\", variables: [...]}");
    only_keys(node, "exception", {"message", "variables", "scope"});
    exception_step out;
    out.message = read_template(node, required(node, "message", "exception"), "message");
    out.execution = read_scope(node, "exception", "document");
    return out;
}

try_catch_step step_reader::read_try_catch(const YAML::Node& node) {
    need_map(node, "try_catch", "{retries: 2, try: [...], catch: [...]}");
    only_keys(node, "try_catch", {"retries", "backoff_ms", "errors", "try", "catch"});
    try_catch_step out;
    if (const auto n = node["retries"]) {
        long long value = -1;
        try {
            value = n.as<long long>();
        } catch (const YAML::Exception&) {
        }
        if (value < 0 || value > 5) fail(n.Mark(), "retries must be from 0 to 5");
        out.retries = static_cast<std::uint32_t>(value);
    }
    if (const auto n = node["backoff_ms"]) {
        const auto value = number(n, "backoff_ms");
        if (value > 60'000) fail(n.Mark(), "backoff_ms must be at most 60000");
        out.backoff_ms = value;
    }
    if (const auto n = node["errors"]) {
        const auto errors = scalar(n, "errors");
        if (errors == "all") {
            out.catch_all = true;
        } else if (errors != "document") {
            fail(n.Mark(), "errors must be document (the default) or all");
        }
    }
    out.try_steps = read_path(required(node, "try", "try_catch"), "try");
    if (node["catch"]) out.catch_steps = read_path(node["catch"], "catch");
    return out;
}

file_write_step step_reader::read_file_write(const YAML::Node& node) const {
    if (!node.IsMap()) fail(node.Mark(), "file_write needs a map with directory and file_name");
    only_keys(node, "file_write", {"directory", "file_name", "variables", "append"});
    file_write_step out;
    out.directory = required_string(node, "directory", "file_write");
    const std::filesystem::path dir(out.directory);
    const bool escapes =
        std::any_of(dir.begin(), dir.end(), [](const auto& part) { return part == ".."; });
    if (dir.is_absolute() || escapes) {
        fail(node["directory"].Mark(),
             "directory must be relative to the data directory's files/ and stay inside it");
    }
    if (node["file_name"]) {
        out.file_name = read_template(node, node["file_name"], "file_name");
    } else {
        auto name = message_template::parse("{1}", 1);
        out.file_name = std::move(*name);
        out.file_name.set_variables({{variable_kind::execution, "document_id"}});
    }
    if (node["append"]) out.append = boolean(node["append"], "append");
    return out;
}

}  // namespace ferry::engine
