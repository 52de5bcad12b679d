#pragma once

#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/engine/process.hpp"
#include "ferry/store/records.hpp"

namespace ferry::engine {

/// Why a request body cannot become documents: the HTTP status and JSON error to answer with.
struct input_error {
    unsigned status = 400;
    std::string error;   // short machine-readable code, e.g. "invalid_json"
    std::string detail;  // a sentence for people, with the position of the problem
};

/// Turns a request body into the documents of one execution according to the operation's
/// input type (SPEC §2). Runs on the ingress thread, before anything is stored, so that a bad
/// body is refused without touching the store. `content_type` is the request's Content-Type
/// (multipart needs its boundary). Documents of a multipart body carry their part headers as
/// properties; the caller adds the request's own.
[[nodiscard]] boost::system::result<std::vector<store::document>, input_error> split_request(
    data_type input, std::string body, std::string_view content_type = {});

/// One line of an ndjson body as a document, or why it is not one. `line_number` is 1-based.
/// Blank lines are skipped (an empty optional).
[[nodiscard]] boost::system::result<std::optional<std::string>, input_error> ndjson_line(
    std::string_view line, std::size_t line_number);

}  // namespace ferry::engine
