// Profiles travel inside the process definition that uses them, so that a stored, deployed
// or shipped definition is complete on its own: versions, replays and remote workers see the
// profile the process was deployed with, not whatever the file says today.
#include "model/profile_bundle.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "ferry/engine/model/process_loader.hpp"
#include "ferry/profiles/profile_yaml.hpp"

namespace ferry::engine {
namespace {

std::size_t lines_before(std::string_view text, std::size_t offset) {
    std::size_t n = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) n += text[i] == '\n';
    return n;
}

// Step profiles (`profile:`, a map's `target_profile:`) anywhere in the step tree.
void step_profiles(const YAML::Node& node, std::vector<std::string>& out) {
    if (node.IsSequence()) {
        for (const auto& item : node) step_profiles(item, out);
    } else if (node.IsMap()) {
        for (const auto& entry : node) {
            const auto key = entry.first.Scalar();
            if ((key == "profile" || key == "target_profile") && entry.second.IsScalar()) {
                out.push_back(entry.second.Scalar());
            } else {
                step_profiles(entry.second, out);
            }
        }
    }
}

/// The profile names a process definition asks for, without checking anything else (the
/// loader reports mistakes with positions).
std::vector<std::string> wanted_profiles(std::string_view process_text) {
    std::vector<std::string> out;
    try {
        const auto root = YAML::Load(std::string(process_text));
        if (!root.IsMap()) return out;
        if (const auto listen = root["listen"]; listen && listen.IsMap()) {
            for (const auto* key : {"request_profile", "response_profile"}) {
                if (const auto n = listen[key]; n && n.IsScalar()) out.push_back(n.Scalar());
            }
        }
        if (const auto steps = root["steps"]) step_profiles(steps, out);
        // An API's routes may name profiles of their own.
        if (const auto routes = root["routes"]; routes && routes.IsSequence()) {
            for (const auto& route : routes) {
                if (!route.IsMap()) continue;
                for (const auto* key : {"request_profile", "response_profile"}) {
                    if (const auto n = route[key]; n && n.IsScalar()) out.push_back(n.Scalar());
                }
            }
        }
    } catch (const YAML::Exception&) {
    }
    return out;
}

}  // namespace

definition_bundle split_bundle(std::string_view text) {
    definition_bundle out;
    std::size_t at =
        text.starts_with(profile_marker) ? 0 : text.find("\n" + std::string(profile_marker));
    if (at != 0 && at != std::string_view::npos) ++at;  // the marker starts after the newline
    out.process_text = text.substr(0, at);
    while (at != std::string_view::npos) {
        const auto line_end = text.find('\n', at);
        auto name = text.substr(
            at + profile_marker.size(),
            line_end == std::string_view::npos ? line_end : line_end - at - profile_marker.size());
        while (!name.empty() && (name.back() == ' ' || name.back() == '\r')) name.remove_suffix(1);
        const auto body_start = line_end == std::string_view::npos ? text.size() : line_end + 1;
        auto next =
            text.find("\n" + std::string(profile_marker), body_start > 0 ? body_start - 1 : 0);
        const auto body_end = next == std::string_view::npos ? text.size() : next + 1;
        out.profiles.push_back({std::string(name), text.substr(body_start, body_end - body_start),
                                lines_before(text, body_start)});
        at = next == std::string_view::npos ? next : next + 1;
    }
    return out;
}

std::string bundle_profiles(const std::string& text, const std::string& file) {
    namespace fs = std::filesystem;
    const auto bundle = split_bundle(text);
    std::set<std::string> carried;
    for (const auto& p : bundle.profiles) carried.insert(p.name);
    std::string out = text;
    for (const auto& name : wanted_profiles(bundle.process_text)) {
        if (carried.contains(name) || !profiles::valid_profile_name(name)) continue;
        const auto path = fs::path(file).parent_path() / (name + ".profile.yaml");
        std::ifstream in(path, std::ios::binary);
        if (!in) continue;  // the loader says the profile is missing, at its line
        std::ostringstream profile_text;
        profile_text << in.rdbuf();
        const auto parsed = profiles::read_profile(profile_text.str());
        if (!parsed) throw definition_error(parsed.error().describe(path.string()));
        if (parsed->name != name) {
            throw definition_error(path.string() + ":1:1: this file holds profile '" +
                                   parsed->name + "', not '" + name + "'");
        }
        if (!out.empty() && out.back() != '\n') out.push_back('\n');
        out += std::string(profile_marker) + name + "\n" + profile_text.str();
        carried.insert(name);
    }
    return out;
}

std::map<std::string, profiles::profile> read_bundled_profiles(const definition_bundle& bundle,
                                                               const std::string& path) {
    std::map<std::string, profiles::profile> out;
    for (const auto& carried : bundle.profiles) {
        auto p = profiles::read_profile(carried.text);
        if (!p) {
            auto e = p.error();
            e.line += carried.first_line - 1;
            throw definition_error(e.describe(path) + " (in profile '" + carried.name + "')");
        }
        if (p->name != carried.name) {
            throw definition_error(path + ":" + std::to_string(carried.first_line - 1) +
                                   ":1: the profile after this line is '" + p->name + "', not '" +
                                   carried.name + "'");
        }
        out[carried.name] = std::move(*p);
    }
    return out;
}

}  // namespace ferry::engine
