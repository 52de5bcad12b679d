#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ferry/engine/execute/reply.hpp"
#include "ferry/engine/intake/idempotency.hpp"
#include "ferry/engine/intake/submission.hpp"
#include "service.hpp"

namespace ferry::ingress {

using request_header = http::request_header<>;

/// Whether the connection stays open after answering `req` (message::keep_alive for a header).
bool keeps_alive(const request_header& req);

/// The request headers a process may see, as document properties `inheader_<Name>`.
store::properties request_header_properties(const request_header& req);

/// Idempotent posts: reads `Idempotency-Key` (or `X-Idempotency-Key`) into
/// s.idempotency_key, scoped to the operation, and starts s's fingerprint with the request
/// line and content type (the caller adds the body). The 400 answer for a malformed key.
std::optional<response> read_idempotency_key(const request_header& req, std::string_view operation,
                                             engine::submission& s,
                                             engine::request_fingerprint& fingerprint);

/// The caller's X-Correlation-Id (or X-Request-Id): printable, at most 128 characters, else
/// "". It becomes the process property `correlation_id` and is logged with the execution.
std::string correlation_id(const request_header& req);

/// Marks the answer to a repeated idempotent post.
void mark_repeat(response& res, const engine::intake_reply& reply);

/// An answer assembled by the engine (reply, receipt) as a response to `req`.
response answer_response(const engine::http_answer& a, const request_header& req);

/// 503 with Retry-After: starting, draining, stopping.
response unavailable(const request_header& req, std::string_view error, std::string_view detail);

/// 503 starting / draining while the server is not listening; nothing while it is.
std::optional<response> not_serving(const request_header& req, server_state state);

/// 503 listener_paused: an operator paused the process serving `operation` (no Retry-After:
/// nobody knows when it resumes).
response paused_listener(const request_header& req, std::string_view operation,
                         std::string_view process);

/// The submission could not reach the intake (queue full, stopping, transport failure).
response submit_failure(const boost::system::error_code& ec, const request_header& req);

/// The intake answered but did not store the submission (507 when the store failed, 422 when
/// an idempotency key was reused by a different request).
response intake_failure(const engine::intake_reply& reply, const request_header& req);

/// An operator's resubmission of stored documents (a replay, a resent dead letter) as a new
/// execution: what the intake answered, as 202 with `{"execution_id", <link>: source,
/// "document_count", "durability"}` and a Location, or the failure.
response resubmitted(const boost::system::result<engine::refused_or<engine::intake_reply>>& outcome,
                     std::string_view link, const std::string& source, const request& req);

}  // namespace ferry::ingress
