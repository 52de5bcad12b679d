#include "ferry/engine/model/process_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "ferry/profiles/profile_yaml.hpp"
#include "ferry/profiles/validation.hpp"
#include "model/profile_bundle.hpp"
#include "model/step_reader.hpp"
#include "model/yaml_reader.hpp"

namespace ferry::engine {
namespace {

const std::set<std::string, std::less<>> listen_types = {"get",    "query",  "create", "update",
                                                         "upsert", "delete", "execute"};
// Input types this build can take; the rest of SPEC §2 is reported as not supported yet.

/// Reads one definition file and turns every mistake into file:line:column: sentence.
class loader : yaml_reader {
    std::map<std::string, profiles::profile> profiles_;

public:
    explicit loader(std::string path) : yaml_reader(path), steps_(std::move(path)) {}

    std::shared_ptr<const process> load(const std::string& text) {
        const auto bundle = split_bundle(text);
        read_profiles(bundle);
        steps_.use_profiles(profiles_);
        YAML::Node root;
        try {
            root = YAML::Load(std::string(bundle.process_text));
        } catch (const YAML::ParserException& e) {
            fail(e.mark, "this is not valid YAML: " + e.msg);
        }
        if (!root.IsMap()) fail(root.Mark(), "a process definition must be a YAML map");
        only_keys(root, "process", {"name", "version", "mode", "listen", "steps"});

        auto p = std::make_shared<process>();
        p->source_file = path();
        p->source_text = text;
        p->name = required_string(root, "name", "process");
        if (const auto v = root["version"]) p->version = number(v, "version");
        if (const auto m = root["mode"]) {
            const auto mode = parse_execution_mode(scalar(m, "mode"));
            if (!mode) fail(m.Mark(), "mode must be general, bridge or low_latency");
            p->mode = *mode;
        }
        p->listen = listen(required(root, "listen", "process"));
        if (const auto steps = root["steps"]) p->steps = steps_.read_path(steps, "steps");
        visit_steps(p->steps, [&](const step& s) {
            const auto* r = std::get_if<return_step>(&s.action);
            if (r && r->when == return_step::respond::early) p->responds_early = true;
        });
        check_reply(root, *p);
        return p;
    }

private:
    // The profiles carried after the process, by name.
    void read_profiles(const definition_bundle& bundle) {
        profiles_ = read_bundled_profiles(bundle, path());
    }

    // request_profile / response_profile: a profile carried by the definition whose format
    // fits the data type.
    std::shared_ptr<const profiles::validator> profile_for(const YAML::Node& node, data_type type,
                                                           const std::string& what) const {
        const auto name = scalar(node, what);
        const auto found = profiles_.find(name);
        if (found == profiles_.end()) {
            fail(node.Mark(), missing_profile(name));
        }
        const auto format = found->second.format;
        const bool xml = type == data_type::single_xml || type == data_type::multiple_xml;
        const bool json = type == data_type::single_json || type == data_type::multiple_json ||
                          type == data_type::ndjson;
        if (!xml && !json) {
            fail(node.Mark(), what + " needs an XML or JSON " +
                                  (what == "request_profile" ? "input" : "output") + " type, not " +
                                  std::string(to_string(type)));
        }
        if (xml != (format == profiles::profile_format::xml)) {
            fail(node.Mark(), "profile '" + name + "' describes " +
                                  std::string(profiles::to_string(format)) + " but the " +
                                  (what == "request_profile" ? "input" : "output") + " type is " +
                                  std::string(to_string(type)));
        }
        auto compiled = profiles::validator::compile(found->second);
        if (!compiled) fail(node.Mark(), compiled.error());
        return *compiled;
    }

    listen_operation listen(const YAML::Node& node) const {
        if (!node.IsMap()) fail(node.Mark(), "listen must be a map of type, object, input, output");
        if (node["queue"]) return listen_queue(node);
        only_keys(node, "listen",
                  {"type", "object", "input", "output", "page_size", "timeout_ms", "content_type",
                   "max_concurrent_executions", "request_profile", "response_profile"});
        listen_operation op;
        op.type = required_string(node, "type", "listen");
        if (!listen_types.contains(op.type)) {
            fail(node["type"].Mark(),
                 "listen type must be one of get, query, create, update, upsert, delete, execute");
        }
        op.object = required_string(node, "object", "listen");
        op.input = data(required(node, "input", "listen"), "input");
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
        if (const auto n = node["max_concurrent_executions"]) {
            op.max_concurrent_executions = number(n, "max_concurrent_executions");
        }
        if (const auto n = node["content_type"]) {
            if (op.output != data_type::single_data) {
                fail(n.Mark(),
                     "content_type applies to output single_data only; XML and JSON "
                     "outputs have their own");
            }
            op.result_content_type = scalar(n, "content_type");
        }
        if (const auto n = node["request_profile"]) {
            op.request_profile = profile_for(n, op.input, "request_profile");
        }
        if (const auto n = node["response_profile"]) {
            op.response_profile = profile_for(n, op.output, "response_profile");
        }
        return op;
    }

    // A process started by messages on an internal queue: nobody waits for a reply.
    listen_operation listen_queue(const YAML::Node& node) const {
        only_keys(node, "listen", {"queue", "input", "output"});
        listen_operation op;
        op.queue = scalar(node["queue"], "queue");
        if (!valid_queue_name(op.queue)) fail(node["queue"].Mark(), queue_name_rule);
        if (const auto n = node["input"]) op.input = data(n, "input");
        if (const auto n = node["output"]) {
            op.output = data(n, "output");
            if (op.output != data_type::none) {
                fail(n.Mark(), "a queue listener answers nobody; its output is none");
            }
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
            if (steps_.first_return()) {
                fail(*steps_.first_return(),
                     "a return step answers the caller, but the listen output is "
                     "none (asynchronous: the caller gets 202 at once); set an "
                     "output type or remove the return step");
            }
            if (p.mode == execution_mode::low_latency) {
                fail(root["mode"].Mark(),
                     "low_latency stores nothing, but an asynchronous operation (output none) "
                     "is acknowledged only once its request is stored; use general or bridge");
            }
        } else if (!steps_.first_return()) {
            fail(listen_node["output"].Mark(),
                 "output is " + std::string(to_string(p.listen.output)) +
                     " but no path reaches a return step, so the caller would never get a "
                     "reply; add '- return: {}' where the reply is ready");
        }
    }

    step_reader steps_;
};

// Every process_call in `steps`, with the step that makes it.
void collect_calls(const step_list& steps, std::vector<std::pair<const step*, std::string>>& out) {
    visit_steps(steps, [&](const step& s) {
        if (const auto* call = std::get_if<process_call_step>(&s.action)) {
            out.emplace_back(&s, call->process);
        }
    });
}

std::string where(const process& p, const step& s) {
    return p.source_file + ":" + std::to_string(s.line) + ":" + std::to_string(s.column) + ": ";
}

// A process_call must name a deployed process, and a process that waits for itself (directly
// or through others) would never finish.
void check_calls(const registry& processes) {
    std::map<std::string, std::vector<std::pair<const step*, std::string>>> calls;
    for (const auto& [name, p] : processes.active()) {
        auto& list = calls[p->name];
        collect_calls(p->steps, list);
        for (const auto& [s, target] : list) {
            if (!processes.by_name(target)) {
                throw definition_error(where(*p, *s) + "process_call names '" + target +
                                       "', which is not a deployed process");
            }
        }
    }
    // Depth-first search over waiting calls for a cycle.
    std::map<std::string, int> state;  // 1 = on the current path, 2 = done
    std::function<void(const std::string&)> visit = [&](const std::string& name) {
        state[name] = 1;
        const auto p = processes.by_name(name);
        for (const auto& [s, target] : calls[name]) {
            if (!std::get<process_call_step>(s->action).wait) continue;
            if (state[target] == 1) {
                throw definition_error(where(*p, *s) + "process_call to '" + target +
                                       "' waits for a process that (through its own calls) "
                                       "waits for '" +
                                       name + "': the calls would never end");
            }
            if (state[target] == 0) visit(target);
        }
        state[name] = 2;
    };
    for (const auto& [name, list] : calls) {
        if (state[name] == 0) visit(name);
    }
}

}  // namespace

void check_process_calls(const registry& processes) { check_calls(processes); }

std::shared_ptr<const process> load_process_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf())) throw definition_error(path + ": cannot read the file");
    return load_process_text(bundle_profiles(text.str(), path), path);
}

std::shared_ptr<const process> load_process_text(const std::string& text, const std::string& name) {
    try {
        return loader(name).load(text);
    } catch (const YAML::Exception& e) {
        // A shape the reader did not foresee (a value where a list was expected ...): still
        // an error at its place, never an exception the caller does not expect.
        yaml_reader(name).fail(e.mark, "this cannot be read as a process definition: " + e.msg);
    }
}

std::shared_ptr<const registry> load_process_set(
    const std::vector<std::pair<std::string, std::string>>& definitions) {
    auto out = std::make_shared<registry>();
    std::vector<std::shared_ptr<const api_definition>> apis;
    for (const auto& [name, text] : definitions) {
        if (is_api_definition_text(text)) {
            apis.push_back(load_api_text(text, name));
            continue;
        }
        auto p = load_process_text(text, name);
        const auto operation = p->listen.operation_name();
        if (!out->add(p)) {
            throw definition_error(name + ": process '" + p->name + "' or operation '" + operation +
                                   "' is already defined by another file");
        }
    }
    check_calls(*out);
    for (auto& api : apis) {
        check_api_operations(*out, *api);
        if (const auto held = out->api_at(api->base_path)) {
            throw definition_error(api->source_file + ": the base path " + api->base_path +
                                   " is already served by API '" + held->name + "' (" +
                                   held->source_file + ")");
        }
        (void)out->add_api(api);
    }
    return out;
}

void check_api_operations(const registry& processes, const api_definition& api) {
    const auto served = [&](const std::string& operation) {
        const auto p = processes.by_operation(operation);
        return p && p->listen.queue.empty();
    };
    for (const auto& route : api.routes) {
        const auto where = api.source_file + ": route " + route.method + " " + route.path + ": ";
        if (!served(route.operation)) {
            throw definition_error(where + "no deployed process serves the operation '" +
                                   route.operation + "'");
        }
        // A route's own profile describes what the route takes or answers.
        const auto& listen = processes.by_operation(route.operation)->listen;
        const auto fits = [&](const std::shared_ptr<const profiles::validator>& v,
                              const std::string& type_override, data_type type, const char* what) {
            if (!v) return;
            const auto t = type_override.empty() ? type : *parse_data_type(type_override);
            const bool xml = t == data_type::single_xml || t == data_type::multiple_xml;
            const bool json = t == data_type::single_json || t == data_type::multiple_json ||
                              t == data_type::ndjson;
            if ((!xml && !json) || xml != (v->profile().format == profiles::profile_format::xml)) {
                throw definition_error(where + what + " '" + v->profile().name + "' describes " +
                                       std::string(profiles::to_string(v->profile().format)) +
                                       " but the route's data type is " +
                                       std::string(to_string(t)));
            }
        };
        fits(route.request_validator, route.input, listen.input, "request_profile");
        fits(route.response_validator, route.output, listen.output, "response_profile");
    }
    for (const auto& operation : api.soap_operations) {
        if (!served(operation)) {
            throw definition_error(api.source_file + ": SOAP operation '" + operation +
                                   "': no deployed process serves it");
        }
    }
}

std::shared_ptr<const registry> load_process_directory(const std::string& directory,
                                                       bool with_apis) {
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
        const bool profile = stem.ends_with(".profile");
        if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml") && !profile) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    std::vector<std::pair<std::string, std::string>> definitions;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream text;
        if (!in || !(text << in.rdbuf())) {
            throw definition_error(file.string() + ": cannot read the file");
        }
        if (!with_apis && is_api_definition_text(text.str())) continue;
        definitions.emplace_back(file.string(), bundle_profiles(text.str(), file.string()));
    }
    return load_process_set(definitions);
}

}  // namespace ferry::engine
