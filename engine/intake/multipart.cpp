#include "intake/multipart.hpp"

#include "ferry/engine/ascii_case.hpp"

namespace ferry::engine {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// The value of parameter `name` in a header value such as `form-data; name="a"; filename=b`.
std::optional<std::string> parameter(std::string_view value, std::string_view name) {
    std::size_t i = value.find(';');
    while (i != std::string_view::npos && i < value.size()) {
        ++i;  // past ';'
        while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
        const auto eq = value.find('=', i);
        if (eq == std::string_view::npos) return std::nullopt;
        const auto key = trim(value.substr(i, eq - i));
        i = eq + 1;
        while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
        std::string text;
        if (i < value.size() && value[i] == '"') {
            for (++i; i < value.size() && value[i] != '"'; ++i) {
                if (value[i] == '\\' && i + 1 < value.size()) ++i;
                text += value[i];
            }
            i = value.find(';', i);
        } else {
            const auto end = value.find(';', i);
            text =
                std::string(trim(value.substr(i, end == std::string_view::npos ? end : end - i)));
            i = end;
        }
        if (equals_ignoring_case(key, name)) return text;
    }
    return std::nullopt;
}

// Moves past one line end (CRLF or LF) at `at`; false if there is none.
bool skip_line_end(std::string_view body, std::size_t& at) {
    if (body.substr(at).starts_with("\r\n")) {
        at += 2;
        return true;
    }
    if (body.substr(at).starts_with("\n")) {
        at += 1;
        return true;
    }
    return false;
}

}  // namespace

boost::system::result<std::string, std::string> multipart_boundary(std::string_view content_type) {
    const auto media = trim(content_type.substr(0, content_type.find(';')));
    if (!equals_ignoring_case(media.substr(0, 10), "multipart/")) {
        return {boost::system::in_place_error,
                "a multipart operation needs Content-Type multipart/...; boundary=..., not '" +
                    std::string(media) + "'"};
    }
    auto boundary = parameter(content_type, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 70) {
        return {boost::system::in_place_error,
                "the Content-Type has no usable boundary parameter (1 to 70 characters)"};
    }
    return {boost::system::in_place_value, std::move(*boundary)};
}

boost::system::result<std::vector<store::document>, std::string> split_multipart(
    std::string_view body, std::string_view boundary) {
    const std::string delimiter = "--" + std::string(boundary);
    std::vector<store::document> parts;
    // The first delimiter starts the body or a line; anything before it is preamble.
    std::size_t at = 0;
    if (!body.starts_with(delimiter)) {
        const auto found = body.find("\n" + delimiter);
        if (found == std::string_view::npos) {
            return std::string("the body has no part: the boundary '") + std::string(boundary) +
                   "' never starts a line";
        }
        at = found + 1;
    }
    for (;;) {
        at += delimiter.size();
        if (body.substr(at).starts_with("--")) return parts;  // close delimiter; epilogue ignored
        while (at < body.size() && (body[at] == ' ' || body[at] == '\t')) ++at;
        if (!skip_line_end(body, at)) {
            return "part " + std::to_string(parts.size() + 1) +
                   ": the boundary line must end after the boundary";
        }
        store::document part;
        // Header lines up to an empty line.
        for (;;) {
            const auto line_end = body.find('\n', at);
            if (line_end == std::string_view::npos) {
                return "part " + std::to_string(parts.size() + 1) + ": the headers never end";
            }
            auto line = body.substr(at, line_end - at);
            if (line.ends_with('\r')) line.remove_suffix(1);
            at = line_end + 1;
            if (line.empty()) break;
            const auto colon = line.find(':');
            if (colon == std::string_view::npos || colon == 0) {
                return "part " + std::to_string(parts.size() + 1) + ": '" +
                       std::string(line.substr(0, 60)) + "' is not a header line";
            }
            const auto name = std::string(trim(line.substr(0, colon)));
            const auto value = std::string(trim(line.substr(colon + 1)));
            if (equals_ignoring_case(name, "Content-Disposition")) {
                if (auto v = parameter(value, "name")) part.props["inpart_name"] = *v;
                if (auto v = parameter(value, "filename")) part.props["inpart_filename"] = *v;
            }
            part.props["inheader_" + name] = value;
        }
        const auto end = body.find("\n" + delimiter, at);
        if (end == std::string_view::npos) {
            return "part " + std::to_string(parts.size() + 1) +
                   ": the body ends without the closing boundary '" + delimiter + "--'";
        }
        auto data = body.substr(at, end - at);
        if (data.ends_with('\r')) data.remove_suffix(1);
        part.data = std::string(data);
        parts.push_back(std::move(part));
        at = end + 1;
    }
}

}  // namespace ferry::engine
