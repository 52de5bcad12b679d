#include "services/media_types.hpp"

#include <boost/beast/core/string.hpp>
#include <cstdlib>

namespace ferry::ingress {
namespace {

using engine::data_type;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "Application/JSON; charset=utf-8" -> "application/json".
std::string essence(std::string_view media) {
    std::string out(trim(media.substr(0, media.find(';'))));
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_json(const std::string& m) { return m == "application/json" || m.ends_with("+json"); }

bool is_xml(const std::string& m) {
    return m == "application/xml" || m == "text/xml" || m.ends_with("+xml");
}

// The q value of a media range's parameters ("; q=0.5"), 1 when absent.
double quality(std::string_view params) {
    while (!params.empty()) {
        const auto semi = params.find(';');
        const auto param = trim(params.substr(0, semi));
        if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
            return std::strtod(std::string(param.substr(2)).c_str(), nullptr);
        }
        if (semi == std::string_view::npos) break;
        params.remove_prefix(semi + 1);
    }
    return 1;
}

}  // namespace

std::string_view body_media_type(data_type input) {
    switch (input) {
        case data_type::single_json:
        case data_type::multiple_json:
            return "application/json";
        case data_type::single_xml:
        case data_type::multiple_xml:
            return "application/xml";
        case data_type::multipart:
            return "multipart/form-data";
        case data_type::ndjson:
            return "application/x-ndjson";
        default:
            return "any media type";
    }
}

bool accepts_body(data_type input, std::string_view content_type) {
    const auto m = essence(content_type);
    switch (input) {
        case data_type::single_json:
        case data_type::multiple_json:
            return is_json(m);
        case data_type::single_xml:
        case data_type::multiple_xml:
            return is_xml(m);
        case data_type::multipart:
            return m == "multipart/form-data" || m == "multipart/mixed";
        case data_type::ndjson:
            return m == "application/x-ndjson" || m == "application/jsonl" ||
                   m == "application/json-seq";
        default:
            return true;
    }
}

std::string reply_media_type(const engine::process& p) {
    switch (p.listen.output) {
        case data_type::single_xml:
        case data_type::multiple_xml:
            return "application/xml";
        case data_type::single_data:
            return essence(p.listen.result_content_type);
        default:
            return "application/json";  // JSON output, or the receipt
    }
}

bool acceptable(std::string_view accept, std::string_view media_type) {
    const auto wanted = essence(media_type);
    const auto slash = wanted.find('/');
    const auto wanted_type = wanted.substr(0, slash);
    while (!accept.empty()) {
        const auto comma = accept.find(',');
        const auto range = accept.substr(0, comma);
        const auto semi = range.find(';');
        const auto m = essence(range);
        const bool matches =
            m == "*/*" || m == wanted ||
            (m.ends_with("/*") && m.substr(0, m.size() - 2) == wanted_type) ||
            (is_xml(m) && is_xml(wanted) && !m.ends_with("+xml") && !wanted.ends_with("+xml"));
        if (matches && (semi == std::string_view::npos || quality(range.substr(semi + 1)) > 0)) {
            return true;
        }
        if (comma == std::string_view::npos) break;
        accept.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace ferry::ingress
