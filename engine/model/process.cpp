#include "ferry/engine/model/process.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace ferry::engine {
namespace {

constexpr std::array<std::pair<data_type, std::string_view>, 8> data_type_names{{
    {data_type::none, "none"},
    {data_type::single_data, "single_data"},
    {data_type::single_xml, "single_xml"},
    {data_type::multiple_xml, "multiple_xml"},
    {data_type::single_json, "single_json"},
    {data_type::multiple_json, "multiple_json"},
    {data_type::multipart, "multipart"},
    {data_type::ndjson, "ndjson"},
}};

constexpr std::array<std::pair<execution_mode, std::string_view>, 3> mode_names{{
    {execution_mode::general, "general"},
    {execution_mode::bridge, "bridge"},
    {execution_mode::low_latency, "low_latency"},
}};

}  // namespace

std::string_view to_string(data_type type) {
    for (const auto& [value, name] : data_type_names) {
        if (value == type) return name;
    }
    return "unknown";
}

std::optional<data_type> parse_data_type(std::string_view text) {
    for (const auto& [value, name] : data_type_names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

std::string_view to_string(execution_mode mode) {
    for (const auto& [value, name] : mode_names) {
        if (value == mode) return name;
    }
    return "unknown";
}

std::optional<execution_mode> parse_execution_mode(std::string_view text) {
    for (const auto& [value, name] : mode_names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

std::string_view step_kind(const step& s) {
    static constexpr std::array<std::string_view, 16> names = {
        "message",      "set_properties", "branch",     "decision",
        "route",        "split",          "combine",    "map",
        "return",       "stop",           "exception",  "try_catch",
        "process_call", "http_call",      "file_write", "queue_send"};
    static_assert(std::variant_size_v<decltype(s.action)> == names.size());
    return names[s.action.index()];
}

void visit_steps(const step_list& steps, const std::function<void(const step&)>& visit) {
    for (const auto& s : steps) {
        visit(s);
        std::visit(
            [&](const auto& a) {
                using T = std::decay_t<decltype(a)>;
                if constexpr (std::is_same_v<T, branch_step>) {
                    for (const auto& path : a.paths) visit_steps(path, visit);
                } else if constexpr (std::is_same_v<T, decision_step>) {
                    visit_steps(a.if_true, visit);
                    visit_steps(a.if_false, visit);
                } else if constexpr (std::is_same_v<T, route_step>) {
                    for (const auto& r : a.routes) visit_steps(r.steps, visit);
                    visit_steps(a.otherwise, visit);
                } else if constexpr (std::is_same_v<T, try_catch_step>) {
                    visit_steps(a.try_steps, visit);
                    visit_steps(a.catch_steps, visit);
                }
            },
            s.action);
    }
}

bool valid_queue_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

std::string listen_operation::operation_name() const {
    if (!queue.empty()) return {};
    std::string name = type;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string tail = object;
    if (!tail.empty())
        tail[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(tail[0])));
    return name + tail;
}

}  // namespace ferry::engine
