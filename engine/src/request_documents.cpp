#include "ferry/engine/request_documents.hpp"

#include "ferry/engine/json_scan.hpp"

namespace ferry::engine {

boost::system::result<std::vector<store::document>, input_error> split_request(data_type input,
                                                                               std::string body) {
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
        default:
            return input_error{415, "unsupported_input_type",
                               "input type '" + std::string(to_string(input)) +
                                   "' is not supported by this version of ferry"};
    }
}

}  // namespace ferry::engine
