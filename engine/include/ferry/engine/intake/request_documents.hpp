#pragma once

#include <boost/system/result.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ferry/engine/model/process.hpp"
#include "ferry/store/records.hpp"

namespace ferry::engine {

/// Where a request document breaks the operation's request profile (SPEC §6).
struct profile_problem {
    std::string profile;
    std::size_t document = 1;  // 1-based, in request order
    std::string path;          // "/Order/line[2]/qty"
    std::size_t line = 0;      // within that document (the body itself for single types)
    std::size_t column = 0;
    std::string rule;  // "type integer", "min 1", "not in the profile" ...
};

/// Why a request body cannot become documents: the HTTP status and JSON error to answer with.
struct input_error {
    input_error() = default;
    input_error(unsigned status, std::string error, std::string detail,
                std::optional<profile_problem> problem = std::nullopt)
        : status(status),
          error(std::move(error)),
          detail(std::move(detail)),
          problem(std::move(problem)) {}

    unsigned status = 400;
    std::string error;   // short machine-readable code, e.g. "invalid_json"
    std::string detail;  // a sentence for people, with the position of the problem
    std::optional<profile_problem> problem;  // set for error "invalid_document"
};

/// Turns a request body into the documents of one execution according to the operation's
/// input type (SPEC §2). Runs on the ingress thread, before anything is stored, so that a bad
/// body is refused without touching the store. `content_type` is the request's Content-Type
/// (multipart needs its boundary). Documents of a multipart body carry their part headers as
/// properties; the caller adds the request's own.
[[nodiscard]] boost::system::result<std::vector<store::document>, input_error> split_request(
    data_type input, std::string body, std::string_view content_type = {});

/// Checks request documents against the operation's request profile, if it has one; the
/// first document that does not fit gives a 400 "invalid_document" naming the document
/// (`first_number` is the number of docs[0]), the element path, line, column and rule.
/// Thread-safe.
[[nodiscard]] std::optional<input_error> check_request_profile(
    const listen_operation& op, std::span<const store::document> docs,
    std::size_t first_number = 1);

/// One line of an ndjson body as a document, or why it is not one. `line_number` is 1-based.
/// Blank lines are skipped (an empty optional).
[[nodiscard]] boost::system::result<std::optional<std::string>, input_error> ndjson_line(
    std::string_view line, std::size_t line_number);

}  // namespace ferry::engine
