#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <memory>
#include <optional>

#include "http/connection_stream.hpp"
#include "http/deadline.hpp"
#include "service.hpp"
#include "services/web_services.hpp"

namespace ferry::ingress {

/// A post to an asynchronous ndjson operation: its body is streamed, never held whole.
struct bulk_call {
    std::shared_ptr<const engine::process> process;
    store::properties process_props;
};

/// The bulk call a request header starts (`call`: its parse_simple_call, with the process the
/// connection found), decided before its body is read.
std::optional<bulk_call> find_bulk_call(const http::request_header<>& req,
                                        const std::optional<simple_call>& call);

struct bulk_result {
    response res;
    bool body_consumed = true;  // false: the body was left unread, the connection must close
};

/// Reads a bulk post's body chunk by chunk, turns every line into a document as it arrives and
/// stores them in parts of `bulk_part_documents` while the rest still streams in: memory stays
/// flat whatever the body size. The execution is queued, and 202 answered, only once the last
/// part is durable; a bad line, an overrun limit or a lost client deletes the staged parts, so
/// nothing half-received ever runs. Empty when the connection is gone.
boost::asio::awaitable<std::optional<bulk_result>> receive_bulk(
    http::request_parser<http::string_body>& header, connection_stream& socket,
    boost::beast::flat_buffer& buffer, deadline& timer, bulk_call call, service& svc);

}  // namespace ferry::ingress
