#include "ferry/engine/intake/request_documents.hpp"

#include "ferry/profiles/validation.hpp"
#include "ferry/profiles/xml_check.hpp"
#include "ferry/profiles/xml_list.hpp"
#include "intake/json_scan.hpp"
#include "intake/multipart.hpp"

namespace ferry::engine {

namespace {

input_error invalid_xml(const profiles::xml_problem& p) {
    return input_error{400, "invalid_xml",
                       "the body is not acceptable XML: line " + std::to_string(p.line) +
                           ", column " + std::to_string(p.column) + ": " + p.message};
}

}  // namespace

std::optional<input_error> check_request_profile(const listen_operation& op,
                                                 std::span<const store::document> docs,
                                                 std::size_t first_number) {
    if (!op.request_profile) return std::nullopt;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        const auto v = op.request_profile->check(docs[i].data);
        if (!v) continue;
        const auto& name = op.request_profile->profile().name;
        const auto number = first_number + i;
        const auto which = docs.size() == 1 && first_number == 1
                               ? std::string("the document")
                               : "document " + std::to_string(number);
        return input_error{400, "invalid_document",
                           which + " does not fit profile '" + name + "' " + v->describe() +
                               " [rule: " + v->rule + "]",
                           profile_problem{name, number, v->path, v->line, v->column, v->rule}};
    }
    return std::nullopt;
}

boost::system::result<std::optional<std::string>, input_error> ndjson_line(
    std::string_view line, std::size_t line_number) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos)
        return std::optional<std::string>();
    if (const auto e = validate_json(line)) {
        return input_error{400, "invalid_json",
                           "line " + std::to_string(line_number) +
                               " of the ndjson body is not "
                               "one JSON value: column " +
                               std::to_string(e->column) + ": " + e->message};
    }
    return std::optional<std::string>(std::string(line));
}

boost::system::result<std::vector<store::document>, input_error> split_request(
    data_type input, std::string body, std::string_view content_type) {
    std::vector<store::document> out;
    switch (input) {
        case data_type::none:
            if (!body.empty()) {
                return input_error{
                    405, "body_not_allowed",
                    "this operation takes no input; send the request without a body"};
            }
            out.push_back({});
            return out;
        case data_type::single_data:
            out.push_back({std::move(body), {}});
            return out;
        case data_type::single_json:
            if (const auto e = validate_json(body)) {
                return input_error{400, "invalid_json",
                                   "the body is not valid JSON: " + e->describe()};
            }
            out.push_back({std::move(body), {}});
            return out;
        case data_type::multiple_json: {
            std::vector<std::string_view> elements;
            if (const auto e = split_json_array(body, elements)) {
                return input_error{400, "invalid_json",
                                   "the body must be a JSON array of documents: " + e->describe()};
            }
            out.reserve(elements.size());
            for (const auto element : elements) out.push_back({std::string(element), {}});
            return out;
        }
        case data_type::single_xml:
            if (const auto problem = profiles::check_xml(body)) return invalid_xml(*problem);
            out.push_back({std::move(body), {}});
            return out;
        case data_type::multiple_xml: {
            auto children = profiles::split_xml_list(body);
            if (!children) return invalid_xml(children.error());
            out.reserve(children->size());
            for (auto& child : *children) out.push_back({std::move(child), {}});
            return out;
        }
        case data_type::multipart: {
            const auto boundary = multipart_boundary(content_type);
            if (!boundary) {
                return input_error{415, "not_multipart", boundary.error()};
            }
            auto parts = split_multipart(body, *boundary);
            if (!parts) return input_error{400, "invalid_multipart", parts.error()};
            return std::move(*parts);
        }
        case data_type::ndjson: {
            std::string_view rest = body;
            for (std::size_t number = 1; !rest.empty(); ++number) {
                const auto end = rest.find('\n');
                auto line = ndjson_line(rest.substr(0, end), number);
                if (!line) return line.error();
                if (*line) out.push_back({std::move(**line), {}});
                if (end == std::string_view::npos) break;
                rest.remove_prefix(end + 1);
            }
            return out;
        }
    }
    return input_error{415, "unsupported_input_type",
                       "input type '" + std::string(to_string(input)) +
                           "' is not supported by this version of ferry"};
}

}  // namespace ferry::engine
