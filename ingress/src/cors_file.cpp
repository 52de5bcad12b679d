#include <yaml-cpp/yaml.h>

#include "ferry/ingress/listener_spec.hpp"

namespace ferry::ingress {
namespace {

std::string where(const std::string& path, const YAML::Node& node) {
    return path + ":" + std::to_string(node.Mark().line + 1) + ":" +
           std::to_string(node.Mark().column + 1) + ": ";
}

std::vector<std::string> strings(const YAML::Node& node) {
    std::vector<std::string> out;
    if (node.IsScalar()) {
        out.push_back(node.as<std::string>());
        return out;
    }
    for (const auto& item : node) out.push_back(item.as<std::string>());
    return out;
}

}  // namespace

std::variant<std::vector<cors_rule>, std::string> load_cors_rules(const std::string& path) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        return "the CORS file " + path + " cannot be read";
    } catch (const YAML::Exception& e) {
        return path + ":" + std::to_string(e.mark.line + 1) + ":" +
               std::to_string(e.mark.column + 1) + ": " + e.msg;
    }
    if (!root.IsMap()) return path + ": the file needs a list of rules under 'cors:'";
    const auto list = root["cors"];
    if (!list || !list.IsSequence()) {
        return path + ": the file needs a list of rules under 'cors:'";
    }
    std::vector<cors_rule> rules;
    for (const auto& node : list) {
        if (!node.IsMap()) return where(path, node) + "each CORS rule is a map";
        cors_rule rule;
        try {
            for (const auto& entry : node) {
                const auto key = entry.first.as<std::string>();
                const auto& value = entry.second;
                if (key == "origin") {
                    rule.origin = value.as<std::string>();
                } else if (key == "methods") {
                    rule.methods = strings(value);
                } else if (key == "headers") {
                    rule.headers = strings(value);
                } else if (key == "expose_headers") {
                    rule.expose_headers = strings(value);
                } else if (key == "credentials") {
                    rule.credentials = value.as<bool>();
                } else if (key == "max_age") {
                    rule.max_age_seconds = value.as<std::int64_t>();
                } else {
                    return where(path, entry.first) + "unknown CORS setting '" + key +
                           "' (origin, methods, headers, expose_headers, credentials, max_age)";
                }
            }
        } catch (const YAML::Exception& e) {
            return path + ":" + std::to_string(e.mark.line + 1) + ":" +
                   std::to_string(e.mark.column + 1) + ": " + e.msg;
        }
        if (rule.origin.empty()) return where(path, node) + "a CORS rule needs an origin";
        if (rule.origin == "*" && rule.credentials) {
            return where(path, node) +
                   "origin '*' cannot allow credentials (browsers refuse it); list the origins";
        }
        rules.push_back(std::move(rule));
    }
    return rules;
}

}  // namespace ferry::ingress
