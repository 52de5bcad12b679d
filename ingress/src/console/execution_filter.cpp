#include "console/execution_filter.hpp"

#include <regex>

#include "console/html.hpp"

namespace ferry::ingress::console {
namespace {

constexpr std::string_view filter_names[] = {"process", "state",     "from",           "to",
                                             "error",   "replay_of", "correlation_id", "sent_by"};

std::string as_utc(std::string value) {
    static const std::regex minutes(R"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})");
    static const std::regex seconds(R"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?)");
    if (std::regex_match(value, minutes)) value += ":00";
    if (std::regex_match(value, seconds)) {
        value[10] = 'T';
        value += 'Z';
    }
    return value;
}

}  // namespace

const std::string& execution_filter_form::value(std::string_view name) const {
    static const std::string none;
    for (const auto& [key, v] : fields) {
        if (key == name) return v;
    }
    return none;
}

std::string execution_filter_form::query() const {
    std::string out;
    for (const auto& [key, v] : fields) {
        out += (out.empty() ? "" : "&") + key + "=" + url_encode(v);
    }
    return out;
}

execution_filter_form read_filter_form(const boost::urls::url_view& target) {
    execution_filter_form out;
    for (const auto name : filter_names) {
        const auto it = target.params().find(name);
        if (it == target.params().end()) continue;
        std::string value = (*it).value;
        if (value.empty()) continue;
        if (name == "from" || name == "to") value = as_utc(std::move(value));
        out.fields.emplace_back(std::string(name), std::move(value));
    }
    for (const auto& param : target.params()) {
        if (param.key == "id") out.id = param.value;
        if (param.key == "cursor") out.cursor = param.value;
        if (param.key == "limit" && !param.value.empty()) out.limit = param.value;
    }
    return out;
}

}  // namespace ferry::ingress::console
