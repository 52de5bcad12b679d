#include "ferry/engine/process_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <regex>
#include <set>

namespace ferry::engine {
namespace {

const std::set<std::string, std::less<>> listen_types = {"get",    "query",  "create", "update",
                                                         "upsert", "delete", "execute"};
// Input types this build can take; the rest of SPEC §2 is reported as not supported yet.
const std::set<data_type> supported_inputs = {data_type::none, data_type::single_data,
                                              data_type::single_json, data_type::multiple_json};

/// Reads one definition file and turns every mistake into file:line:column: sentence.
class loader {
public:
    explicit loader(std::string path) : path_(std::move(path)) {}

    std::shared_ptr<const process> load() {
        YAML::Node root;
        try {
            root = YAML::LoadFile(path_);
        } catch (const YAML::BadFile&) {
            throw definition_error(path_ + ": cannot read the file");
        } catch (const YAML::ParserException& e) {
            fail(e.mark, "this is not valid YAML: " + e.msg);
        }
        if (!root.IsMap()) fail(root.Mark(), "a process definition must be a YAML map");
        only_keys(root, "process", {"name", "version", "mode", "listen", "steps"});

        auto p = std::make_shared<process>();
        p->source_file = path_;
        p->name = required_string(root, "name", "process");
        if (const auto v = root["version"]) p->version = number(v, "version");
        if (const auto m = root["mode"]) {
            const auto mode = parse_execution_mode(scalar(m, "mode"));
            if (!mode) fail(m.Mark(), "mode must be general, bridge or low_latency");
            p->mode = *mode;
        }
        p->listen = listen(required(root, "listen", "process"));
        if (const auto steps = root["steps"]) p->steps = read_path(steps, "steps");
        check_reply(root, *p);
        return p;
    }

private:
    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& sentence) const {
        if (mark.is_null()) throw definition_error(path_ + ": " + sentence);
        throw definition_error(path_ + ":" + std::to_string(mark.line + 1) + ":" +
                               std::to_string(mark.column + 1) + ": " + sentence);
    }

    void only_keys(const YAML::Node& map, const std::string& where,
                   std::initializer_list<std::string_view> allowed) const {
        for (const auto& entry : map) {
            const auto key = entry.first.as<std::string>();
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                fail(entry.first.Mark(), "unknown field '" + key + "' in " + where);
            }
        }
    }

    YAML::Node required(const YAML::Node& map, const std::string& key,
                        const std::string& where) const {
        auto node = map[key];
        if (!node) fail(map.Mark(), where + " needs the field '" + key + "'");
        return node;
    }

    std::string scalar(const YAML::Node& node, const std::string& what) const {
        if (!node.IsScalar()) fail(node.Mark(), what + " must be a single value");
        return node.as<std::string>();
    }

    std::string required_string(const YAML::Node& map, const std::string& key,
                                const std::string& where) const {
        auto value = scalar(required(map, key, where), key);
        if (value.empty()) fail(map[key].Mark(), key + " must not be empty");
        return value;
    }

    std::uint32_t number(const YAML::Node& node, const std::string& what) const {
        try {
            const auto value = node.as<long long>();
            if (value >= 1 && value <= 1'000'000) return static_cast<std::uint32_t>(value);
        } catch (const YAML::Exception&) {
        }
        fail(node.Mark(), what + " must be a whole number from 1 to 1000000");
    }

    bool boolean(const YAML::Node& node, const std::string& what) const {
        try {
            return node.as<bool>();
        } catch (const YAML::Exception&) {
            fail(node.Mark(), what + " must be true or false");
        }
    }

    listen_operation listen(const YAML::Node& node) const {
        if (!node.IsMap()) fail(node.Mark(), "listen must be a map of type, object, input, output");
        only_keys(node, "listen",
                  {"type", "object", "input", "output", "page_size", "timeout_ms", "content_type"});
        listen_operation op;
        op.type = required_string(node, "type", "listen");
        if (!listen_types.contains(op.type)) {
            fail(node["type"].Mark(),
                 "listen type must be one of get, query, create, update, upsert, delete, execute");
        }
        op.object = required_string(node, "object", "listen");
        op.input = data(required(node, "input", "listen"), "input");
        if (!supported_inputs.contains(op.input)) {
            fail(node["input"].Mark(), "input type '" + std::string(to_string(op.input)) +
                                           "' is not supported by this version of ferry");
        }
        op.output = data(required(node, "output", "listen"), "output");
        if (op.output == data_type::multipart || op.output == data_type::ndjson) {
            fail(node["output"].Mark(), "output type '" + std::string(to_string(op.output)) +
                                            "' is for requests only; a reply is none, "
                                            "single_data, single_xml, multiple_xml, single_json "
                                            "or multiple_json");
        }
        if (const auto n = node["page_size"]) {
            const auto size = number(n, "page_size");
            if (size > 100) fail(n.Mark(), "page_size must be from 1 to 100");
            op.page_size = size;
        }
        if (const auto n = node["timeout_ms"]) op.timeout_ms = number(n, "timeout_ms");
        if (const auto n = node["content_type"]) {
            if (op.output != data_type::single_data) {
                fail(n.Mark(), "content_type applies to output single_data only; XML and JSON "
                               "outputs have their own");
            }
            op.result_content_type = scalar(n, "content_type");
        }
        return op;
    }

    data_type data(const YAML::Node& node, const std::string& what) const {
        const auto type = parse_data_type(scalar(node, what));
        if (!type) {
            fail(node.Mark(), what +
                                  " must be one of none, single_data, single_xml, multiple_xml, "
                                  "single_json, multiple_json, multipart, ndjson");
        }
        return *type;
    }

    // A synchronous operation needs somewhere to answer from; an asynchronous one has nobody
    // to answer, and must be stored to be acknowledged.
    void check_reply(const YAML::Node& root, const process& p) const {
        const auto listen_node = root["listen"];
        if (p.listen.output == data_type::none) {
            if (first_return_) {
                fail(*first_return_, "a return step answers the caller, but the listen output is "
                                     "none (asynchronous: the caller gets 202 at once); set an "
                                     "output type or remove the return step");
            }
            if (p.mode == execution_mode::low_latency) {
                fail(root["mode"].Mark(),
                     "low_latency stores nothing, but an asynchronous operation (output none) "
                     "is acknowledged only once its request is stored; use general or bridge");
            }
        } else if (!first_return_) {
            fail(listen_node["output"].Mark(),
                 "output is " + std::string(to_string(p.listen.output)) +
                     " but no path reaches a return step, so the caller would never get a "
                     "reply; add '- return: {}' where the reply is ready");
        }
    }

    /// A list of steps; a step that opens paths must be the last of its list.
    step_list read_path(const YAML::Node& node, const std::string& what) {
        if (!node.IsSequence()) fail(node.Mark(), what + " must be a list of steps");
        step_list out;
        const step* ender = nullptr;
        for (const auto& entry : node) {
            if (ender) {
                fail(entry.Mark(), "this step follows the " + std::string(step_kind(*ender)) +
                                       " step '" + ender->id + "', which ends its path: put it "
                                       "inside one of that step's paths");
            }
            out.push_back(read_step(entry));
            const auto& s = out.back();
            if (std::holds_alternative<branch_step>(s.action) ||
                std::holds_alternative<decision_step>(s.action) ||
                std::holds_alternative<route_step>(s.action) ||
                std::holds_alternative<try_catch_step>(s.action)) {
                ender = &out.back();
            }
        }
        return out;
    }

    step read_step(const YAML::Node& node) {
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
            } else {
                fail(entry.first.Mark(),
                     "unknown step '" + key +
                         "'; steps are message, set_properties, branch, decision, route, split, "
                         "combine, return, stop, exception, try_catch and file_write");
            }
        }
        if (kinds != 1) fail(node.Mark(), "a step names exactly one step kind besides its id");
        return s;
    }

    void need_map(const YAML::Node& node, const std::string& what, const std::string& example) const {
        if (!node.IsMap()) fail(node.Mark(), what + " needs a map, for example " + example);
    }

    message_step read_message(const YAML::Node& node) const {
        need_map(node, "message", "{template: \"{1}\", variables: [current_data]}");
        only_keys(node, "message", {"template", "variables", "combine"});
        message_step out{read_template(node, required(node, "template", "message"), "template")};
        if (node["combine"]) out.combine = boolean(node["combine"], "combine");
        return out;
    }

    set_properties_step read_set_properties(const YAML::Node& node) const {
        if (!node.IsSequence() || node.size() == 0) {
            fail(node.Mark(), "set_properties needs a list such as "
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

    branch_step read_branch(const YAML::Node& node) {
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

    comparison read_comparison(const YAML::Node& node) const {
        static const std::pair<std::string_view, comparison> names[] = {
            {"=", comparison::equal},         {"!=", comparison::not_equal},
            {"<", comparison::less},          {"<=", comparison::less_equal},
            {">", comparison::greater},       {">=", comparison::greater_equal},
            {"regex", comparison::regex},     {"wildcard", comparison::wildcard}};
        const auto text = scalar(node, "op");
        for (const auto& [name, op] : names) {
            if (name == text) return op;
        }
        fail(node.Mark(), "op must be one of =, !=, <, <=, >, >=, regex, wildcard");
    }

    decision_step read_decision(const YAML::Node& node) {
        need_map(node, "decision",
                 "{left: {document_property: region}, op: \"=\", right: {static: EU}, "
                 "then: [...], else: [...]}");
        only_keys(node, "decision", {"left", "op", "right", "then", "else"});
        decision_step out;
        out.left = read_variable(required(node, "left", "decision"));
        out.op = read_comparison(required(node, "op", "decision"));
        out.right = read_variable(required(node, "right", "decision"));
        if (out.op == comparison::regex && out.right.kind == variable_kind::static_text) {
            try {
                std::regex check(out.right.argument);
            } catch (const std::regex_error& e) {
                fail(node["right"].Mark(), "this is not a valid regular expression: " +
                                               std::string(e.what()));
            }
        }
        if (node["then"]) out.if_true = read_path(node["then"], "then");
        if (node["else"]) out.if_false = read_path(node["else"], "else");
        return out;
    }

    route_step read_route(const YAML::Node& node) {
        need_map(node, "route",
                 "{value: {document_property: region}, routes: [{when: EU, steps: [...]}], "
                 "default: [...]}");
        only_keys(node, "route", {"value", "routes", "default"});
        route_step out;
        out.value = read_variable(required(node, "value", "route"));
        const auto routes = required(node, "routes", "route");
        if (!routes.IsSequence() || routes.size() == 0) {
            fail(routes.Mark(), "routes must be a list of {when: VALUE, steps: [...]}");
        }
        std::set<std::string> seen;
        for (const auto& r : routes) {
            need_map(r, "a route", "{when: EU, steps: [...]}");
            only_keys(r, "a route", {"when", "steps"});
            auto value = scalar(required(r, "when", "a route"), "when");
            if (!seen.insert(value).second) {
                fail(r["when"].Mark(), "the value '" + value + "' is routed twice; the first "
                                       "route would always win");
            }
            out.routes.push_back({std::move(value), read_path(required(r, "steps", "a route"), "steps")});
        }
        if (node["default"]) out.otherwise = read_path(node["default"], "default");
        return out;
    }

    split_step read_split(const YAML::Node& node) const {
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
                    auto key = path.substr(start, dot == std::string::npos ? std::string::npos
                                                                           : dot - start);
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

    combine_step read_combine(const YAML::Node& node) const {
        need_map(node, "combine", "{into: json_array}");
        only_keys(node, "combine", {"into", "element", "separator"});
        combine_step out;
        const auto into = scalar(required(node, "into", "combine"), "into");
        if (into == "json_array") {
            out.into = combine_step::format::json_array;
        } else if (into == "xml_list") {
            out.into = combine_step::format::xml_list;
            if (node["element"]) out.element = scalar(node["element"], "element");
            if (out.element.empty() ||
                out.element.find_first_of("<>&\"' /") != std::string::npos) {
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

    return_step read_return(const YAML::Node& node) const {
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
    bool read_scope(const YAML::Node& node, const std::string& step, const std::string& local) const {
        if (!node["scope"]) return false;
        const auto scope = scalar(node["scope"], "scope");
        if (scope == "execution") return true;
        if (scope != local) {
            fail(node["scope"].Mark(), step + " scope must be " + local + " (the default) or execution");
        }
        return false;
    }

    stop_step read_stop(const YAML::Node& node) const {
        stop_step out;
        if (!node || node.IsNull()) return out;
        need_map(node, "stop", "{} or {scope: execution}");
        only_keys(node, "stop", {"scope"});
        out.execution = read_scope(node, "stop", "path");
        return out;
    }

    exception_step read_exception(const YAML::Node& node) const {
        need_map(node, "exception", "{message: \"order {1} has no lines\", variables: [...]}");
        only_keys(node, "exception", {"message", "variables", "scope"});
        exception_step out;
        out.message = read_template(node, required(node, "message", "exception"), "message");
        out.execution = read_scope(node, "exception", "document");
        return out;
    }

    try_catch_step read_try_catch(const YAML::Node& node) {
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

    message_template read_template(const YAML::Node& parent, const YAML::Node& text_node,
                                   const std::string& what) const {
        auto variables = read_variables(parent["variables"]);
        auto parsed = message_template::parse(scalar(text_node, what), variables.size());
        if (!parsed) fail(text_node.Mark(), what + ": " + parsed.error());
        parsed->set_variables(std::move(variables));
        return std::move(*parsed);
    }

    file_write_step read_file_write(const YAML::Node& node) const {
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

    std::vector<variable> read_variables(const YAML::Node& node) const {
        std::vector<variable> out;
        if (!node) return out;
        if (!node.IsSequence()) fail(node.Mark(), "variables must be a list");
        for (const auto& entry : node) out.push_back(read_variable(entry));
        return out;
    }

    variable read_variable(const YAML::Node& node) const {
        static const std::set<std::string, std::less<>> execution_values = {
            "execution_id", "process_name", "process_version", "document_id", "document_index"};
        if (node.IsScalar()) {
            const auto name = node.as<std::string>();
            if (name == "current_data") return {variable_kind::current_data, ""};
            if (execution_values.contains(name)) return {variable_kind::execution, name};
            fail(node.Mark(), "unknown variable '" + name +
                                  "'; use current_data, execution_id, "
                                  "document_id, document_index, process_name, process_version or a "
                                  "map such as {static: text}");
        }
        if (!node.IsMap() || node.size() != 1) {
            fail(node.Mark(), "a variable is a name or a map with one entry such as {static: x}");
        }
        const auto entry = *node.begin();
        const auto kind = entry.first.as<std::string>();
        const auto argument = scalar(entry.second, kind);
        if (kind == "static") return {variable_kind::static_text, argument};
        if (kind == "document_property") return {variable_kind::document_property, argument};
        if (kind == "process_property") return {variable_kind::process_property, argument};
        if (kind == "date") return {variable_kind::date, argument};
        if (kind == "execution") {
            if (!execution_values.contains(argument)) {
                fail(entry.second.Mark(), "unknown execution value '" + argument + "'");
            }
            return {variable_kind::execution, argument};
        }
        fail(entry.first.Mark(), "unknown variable kind '" + kind +
                                     "'; use static, "
                                     "document_property, process_property, execution or date");
    }

    std::string path_;
    std::set<std::string> ids_;  // step ids, unique over the whole process
    std::size_t step_count_ = 0;
    std::optional<YAML::Mark> first_return_;
};

}  // namespace

std::shared_ptr<const process> load_process_file(const std::string& path) {
    return loader(path).load();
}

std::shared_ptr<const registry> load_process_directory(const std::string& directory) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(directory, ec)) {
        throw definition_error(directory + ": the processes directory does not exist");
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(directory)) {
        const auto ext = entry.path().extension();
        const auto stem = entry.path().stem().string();
        // Sample inputs sit beside definitions as <stem>.input.<ext>; skip anything not YAML.
        if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    auto out = std::make_shared<registry>();
    for (const auto& file : files) {
        auto p = load_process_file(file.string());
        const auto operation = p->listen.operation_name();
        if (!out->add(p)) {
            throw definition_error(file.string() + ": process '" + p->name + "' or operation '" +
                                   operation + "' is already defined by another file");
        }
    }
    return out;
}

}  // namespace ferry::engine
