#include "ferry/engine/intake/request_properties.hpp"

#include <cctype>

namespace ferry::engine {
namespace {

bool starts_with_icase(std::string_view text, std::string_view lower_prefix) {
    if (text.size() < lower_prefix.size()) return false;
    for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != lower_prefix[i]) return false;
    }
    return true;
}

std::string base64_decode(std::string_view in) {
    static const auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
    };
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : in) {
        if (c == '=') break;
        const int v = value(c);
        if (v < 0) return {};
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    return out;
}

}  // namespace

bool passes_to_process(std::string_view name) {
    // Every protected header falls outside these families.
    return starts_with_icase(name, "accept") || starts_with_icase(name, "content-") ||
           starts_with_icase(name, "x-wss-");
}

store::properties process_properties(const request_facts& facts) {
    store::properties props;
    props.emplace("inmethod", facts.method);
    props.emplace("inpath", facts.path);
    props.emplace("inuser", facts.user);
    for (const auto& [k, v] : facts.query) props.insert_or_assign("query_" + k, v);
    for (const auto& [k, v] : facts.params) props.insert_or_assign("param_" + k, v);
    return props;
}

std::string split_matrix(std::string_view segment,
                         std::vector<std::pair<std::string, std::string>>& params,
                         std::string* auth) {
    const auto first = segment.find(';');
    std::string operation(segment.substr(0, first));
    while (first != std::string_view::npos && !segment.empty()) {
        segment.remove_prefix(segment.find(';') + 1);
        const auto end = segment.find(';');
        const auto item = segment.substr(0, end);
        const auto eq = item.find('=');
        const auto name = item.substr(0, eq);
        if (name == "auth" && auth && eq != std::string_view::npos) {
            *auth = std::string(item.substr(eq + 1));
        } else if (!name.empty() && name != "auth") {
            params.emplace_back(std::string(name), eq == std::string_view::npos
                                                       ? std::string()
                                                       : std::string(item.substr(eq + 1)));
        }
        if (end == std::string_view::npos) break;
    }
    return operation;
}

std::string base64_encode(std::string_view in) {
    static constexpr char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < in.size(); i += 3) {
        std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
        out += i + 2 < in.size() ? table[v & 63] : '=';
    }
    return out;
}

std::optional<std::pair<std::string, std::string>> decode_credentials(std::string_view base64) {
    const auto decoded = base64_decode(base64);
    const auto colon = decoded.find(':');
    if (colon == std::string::npos) return std::nullopt;
    return std::pair(decoded.substr(0, colon), decoded.substr(colon + 1));
}

std::optional<std::pair<std::string, std::string>> basic_credentials(
    std::string_view authorization) {
    if (!starts_with_icase(authorization, "basic ")) return std::nullopt;
    return decode_credentials(authorization.substr(6));
}

std::string basic_auth_user(std::string_view authorization) {
    auto credentials = basic_credentials(authorization);
    return credentials ? credentials->first : std::string();
}

}  // namespace ferry::engine
