#include "http/request_checks.hpp"

#include <boost/beast/http/rfc7230.hpp>

#include "ferry/engine/ascii_case.hpp"
#include "ferry/profiles/utf8.hpp"
#include "http/responses.hpp"

namespace ferry::ingress {
namespace {

response refused(http::status status, std::string_view error, std::string detail,
                 const http::request_header<>& req) {
    return error_response(status, error, detail, req.version(), false);
}

bool clean_text(std::string_view text) {
    return text.find('\0') == std::string_view::npos && profiles::valid_utf8(text);
}

}  // namespace

std::optional<response> refuse_transfer_coding(const http::request_header<>& req) {
    const auto [first, last] = req.equal_range(http::field::transfer_encoding);
    if (first == last) return std::nullopt;
    if (req.version() < 11) {
        return refused(http::status::bad_request, "bad_transfer_encoding",
                       "an HTTP/1.0 request cannot carry Transfer-Encoding; send Content-Length",
                       req);
    }
    std::size_t chunked = 0;
    for (auto field = first; field != last; ++field) {
        for (const auto coding : http::token_list(field->value())) {
            if (engine::equals_ignoring_case(coding, "chunked")) {
                ++chunked;
                continue;
            }
            return refused(http::status::not_implemented, "unsupported_transfer_coding",
                           "this server takes only the chunked transfer coding, not '" +
                               std::string(coding) + "'",
                           req);
        }
    }
    if (chunked > 1) {
        return refused(http::status::bad_request, "bad_transfer_encoding",
                       "the chunked transfer coding is applied more than once", req);
    }
    return std::nullopt;
}

std::optional<response> refuse_target_text(const boost::urls::url_view& target,
                                           const http::request_header<>& req) {
    // Only percent-escapes can make a parsed target's text other than clean ASCII.
    if (req.target().find('%') == std::string_view::npos) return std::nullopt;
    bool clean = clean_text(target.path());
    for (const auto& param : target.params()) {
        if (!clean) break;
        clean = clean_text(param.key) && clean_text(param.value);
    }
    if (clean) return std::nullopt;
    return refused(http::status::bad_request, "bad_target",
                   "the request target's percent-escapes decode to text that is not UTF-8, or "
                   "to a NUL character",
                   req);
}

}  // namespace ferry::ingress
