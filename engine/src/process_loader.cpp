#include "ferry/engine/process_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
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
        if (const auto steps = root["steps"]) read_steps(steps, *p);
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
        only_keys(node, "listen", {"type", "object", "input", "output"});
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
        if (op.output != data_type::none) {
            fail(node["output"].Mark(),
                 "output type '" + std::string(to_string(op.output)) +
                     "' (a synchronous reply) is not supported by this version of ferry");
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

    void read_steps(const YAML::Node& node, process& p) {
        if (!node.IsSequence()) fail(node.Mark(), "steps must be a list");
        std::set<std::string> ids;
        for (const auto& entry : node) {
            auto s = read_step(entry, p.steps.size() + 1);
            if (!ids.insert(s.id).second)
                fail(entry.Mark(), "step id '" + s.id + "' is used twice");
            p.steps.push_back(std::move(s));
        }
    }

    step read_step(const YAML::Node& node, std::size_t position) {
        if (!node.IsMap()) fail(node.Mark(), "a step must be a map such as '- message: {...}'");
        step s;
        s.line = node.Mark().line + 1;
        s.id = node["id"] ? scalar(node["id"], "id") : "step" + std::to_string(position);
        int kinds = 0;
        for (const auto& entry : node) {
            const auto key = entry.first.as<std::string>();
            if (key == "id") continue;
            ++kinds;
            if (key == "message") {
                s.action = read_message(entry.second);
            } else if (key == "file_write") {
                s.action = read_file_write(entry.second);
            } else {
                fail(entry.first.Mark(), "unknown step '" + key +
                                             "'; this version knows message "
                                             "and file_write");
            }
        }
        if (kinds != 1) fail(node.Mark(), "a step names exactly one step kind besides its id");
        return s;
    }

    message_template read_template(const YAML::Node& parent, const YAML::Node& text_node,
                                   const std::string& what) const {
        auto variables = read_variables(parent["variables"]);
        auto parsed = message_template::parse(scalar(text_node, what), variables.size());
        if (!parsed) fail(text_node.Mark(), what + ": " + parsed.error());
        parsed->set_variables(std::move(variables));
        return std::move(*parsed);
    }

    message_step read_message(const YAML::Node& node) const {
        if (!node.IsMap()) fail(node.Mark(), "message needs a map with template and variables");
        only_keys(node, "message", {"template", "variables"});
        return {read_template(node, required(node, "template", "message"), "template")};
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
