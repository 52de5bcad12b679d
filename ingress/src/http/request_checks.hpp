#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/url/url_view.hpp>
#include <optional>

#include "service.hpp"

namespace ferry::ingress {

/// Transfer codings (RFC 9112, section 6): ferry takes only `chunked`, once and last, and only
/// in HTTP/1.1. Any other coding (`gzip`, `identity` ...) is 501 unsupported_transfer_coding;
/// chunked applied twice, or a Transfer-Encoding in an HTTP/1.0 request, is 400
/// bad_transfer_encoding. The body's length is then unknown: the answer closes the connection.
/// (A Transfer-Encoding beside a Content-Length, or a negative or doubled length, Beast's
/// parser refuses already: 400 malformed_http.)
std::optional<response> refuse_transfer_coding(const http::request_header<>& req);

/// A target whose percent-decoded path or query is not UTF-8 (`%c0%af`, `%ff`) or holds a NUL
/// (`%00`): 400 bad_target. Such text would otherwise reach the process's properties, the
/// history and every JSON answer that shows them.
std::optional<response> refuse_target_text(const boost::urls::url_view& target,
                                           const http::request_header<>& req);

}  // namespace ferry::ingress
