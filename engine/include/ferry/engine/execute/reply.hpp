#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/engine/intake/submission.hpp"
#include "ferry/engine/model/process.hpp"
#include "ferry/engine/run/runner.hpp"
#include "ferry/transport/frames.hpp"

namespace ferry::engine {

/// An HTTP answer before it meets a connection: what the ingress sends and `ferry test` prints.
struct http_answer {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

/// The answer a synchronous caller gets once a run has finished (SPEC §2, output types):
/// - an uncaught failure is 500 with a JSON body naming the step and the message;
/// - list outputs are one JSON array or one <ObjectResponseList>, empty when nothing returned;
/// - single outputs are the one returned document as it is, 204 when nothing returned, and
///   500 when several were returned (combine them first);
/// - one returned document's `outstatuscode` and `outheader_<Name>` properties set the status
///   and headers (XML and JSON outputs keep their content type).
/// Paging of long lists is the ingress's job (issue "Web service semantics").
http_answer assemble_reply(const process& p, const std::string& execution_id,
                           const run_outcome& outcome);

/// A list reply cut into pages of the operation's page size (SPEC §2, "Paging"): the first
/// page, and every later page under the token the page before names (JSON: a `Link: <...?
/// moreDataToken=...>; rel="next"` header; XML: also a `moreDataToken` attribute on
/// `<ObjectResponseList>`). The last page names none. Replies that need no paging come back
/// whole in `first`.
struct paged_answer {
    http_answer first;
    std::vector<std::pair<std::string, http_answer>> later;  // (token, page)
};
paged_answer assemble_pages(const process& p, const std::string& execution_id,
                            const run_outcome& outcome,
                            const std::function<std::string()>& new_token);

/// An answer kept in the store for a caller who comes back (a later page, the reply of an
/// execution whose caller stopped waiting).
struct kept_answer {
    std::int64_t expires_ms = 0;
    bool expired = false;  // set when read (gateway::kept): the expiry has passed
    std::string execution_id;
    http_answer answer;
};
/// The stored form: 8-byte big-endian expiry first (store::put_answers), then the answer.
std::string encode_kept_answer(std::int64_t expires_ms, const std::string& execution_id,
                               const http_answer& answer);
[[nodiscard]] boost::system::result<kept_answer> decode_kept_answer(std::string_view bytes);

/// The 202 receipt of an asynchronous operation, once its documents are stored: the execution
/// id, the document count and one id per document — or, for a bulk post (`bulk`), which can
/// hold millions, the first and last id instead of the list.
http_answer receipt_reply(const receipt& r, bool bulk = false);

/// A synchronous reply on its way from an executor to the waiting connection (SPEC §4),
/// tagged with the caller's correlation id. Wire format in docs/storage.md.
struct sync_reply {
    std::string reply_to;
    std::string execution_id;
    http_answer answer;
};
transport::frames encode_sync_reply(const std::string& reply_to, const std::string& execution_id,
                                    const http_answer& answer);
[[nodiscard]] boost::system::result<sync_reply> decode_sync_reply(const transport::frames& in);

}  // namespace ferry::engine
