#include "services/bulk_handler.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <vector>

#include "ferry/engine/ascii_case.hpp"
#include "ferry/engine/intake/request_documents.hpp"
#include "http/responses.hpp"
#include "services/submit_answers.hpp"
#include "services/web_services.hpp"

namespace ferry::ingress {
namespace {
namespace asio = boost::asio;
using part = store::new_execution::part;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::size_t part_bytes = 4 * 1024 * 1024;  // a part is also cut at this size

/// The documents of one bulk post on their way to the store, a part at a time.
class bulk_upload {
public:
    bulk_upload(service& svc, const engine::process& p, engine::submission base,
                engine::request_fingerprint fingerprint, store::properties header_props)
        : svc_(svc),
          listen_(p.listen),
          header_props_(std::move(header_props)),
          base_(std::move(base)),
          fingerprint_(fingerprint) {
        base_.process = p.name;
        base_.process_version = p.version;
    }

    /// Every byte of the body goes into the fingerprint of an idempotent upload.
    void fingerprint(std::string_view bytes) {
        if (!base_.idempotency_key.empty()) fingerprint_.add(bytes);
    }

    std::optional<engine::input_error> add_line(std::string_view line) {
        if (line.size() > svc_.settings.body_limit) return too_long();
        auto doc = engine::ndjson_line(line, ++line_number_);
        if (!doc) return doc.error();
        if (!*doc) return std::nullopt;  // blank line
        bytes_ += (*doc)->size();
        documents_.push_back({std::move(**doc), header_props_});
        ++document_count_;
        if (listen_.request_profile) {
            auto bad =
                engine::check_request_profile(listen_, {&documents_.back(), 1}, document_count_);
            if (bad) {
                bad->detail += " (line " + std::to_string(line_number_) + " of the body)";
                return bad;
            }
        }
        return std::nullopt;
    }

    /// A line still arriving that is already over the document limit.
    std::optional<engine::input_error> check_partial(std::string_view line) const {
        if (line.size() > svc_.settings.body_limit) return too_long();
        return std::nullopt;
    }

    bool part_full() const {
        return documents_.size() >= svc_.settings.bulk_part_documents || bytes_ >= part_bytes;
    }

    /// Stores the documents gathered so far as a staged part, or (last) queues the execution
    /// and keeps its receipt. The answer on failure.
    asio::awaitable<std::optional<response>> flush(bool last, const http::request_header<>& req) {
        engine::submission s;
        s.process = base_.process;
        s.process_version = base_.process_version;
        s.documents = std::move(documents_);
        documents_.clear();
        bytes_ = 0;
        s.upload_id = upload_id_;
        s.first_document = stored_;
        // A body that fits one part is an ordinary submission.
        s.arrives = !last ? part::staged : upload_id_.empty() ? part::whole : part::closing;
        if (last) {
            s.process_props = base_.process_props;
            s.debug = base_.debug;
            s.idempotency_key = base_.idempotency_key;
            s.fingerprint = fingerprint_.hex();
        }
        const auto count = s.documents.size();
        const auto reply = co_await svc_.gateway->submit(std::move(s));
        if (!reply) co_return submit_failure(reply.error(), req);
        if (reply->status != engine::intake_status::ok) co_return intake_failure(*reply, req);
        upload_id_ = reply->accepted.execution_id;
        stored_ += count;
        if (last) {
            receipt_ = *reply;
            upload_id_.clear();  // queued (or dropped as a repeat): nothing left to abort
        }
        co_return std::nullopt;
    }

    /// The closing part's answer: the upload's receipt, or the first upload's for a repeat.
    const engine::intake_reply& closing_reply() const { return receipt_; }

    /// Deletes the staged parts of an upload that will not be finished.
    asio::awaitable<void> abort() {
        if (upload_id_.empty()) co_return;
        engine::submission s;
        s.process = base_.process;
        s.process_version = base_.process_version;
        s.arrives = part::aborted;
        s.upload_id = upload_id_;
        upload_id_.clear();
        (void)co_await svc_.gateway->submit(std::move(s));
    }

private:
    engine::input_error too_long() const {
        return {413, "line_too_large",
                "line " + std::to_string(line_number_ + 1) +
                    " of the bulk body exceeds the document limit (" +
                    std::to_string(svc_.settings.body_limit) + " bytes)"};
    }

    service& svc_;
    const engine::listen_operation& listen_;  // the process outlives the upload
    store::properties header_props_;
    engine::submission base_;
    engine::request_fingerprint fingerprint_;
    std::vector<store::document> documents_;
    std::size_t bytes_ = 0;
    std::size_t line_number_ = 0;
    std::size_t document_count_ = 0;
    std::string upload_id_;
    std::uint64_t stored_ = 0;
    engine::intake_reply receipt_;
};

}  // namespace

std::optional<bulk_call> find_bulk_call(const http::request_header<>& req,
                                        const std::optional<simple_call>& call) {
    if (req.method() != http::verb::post || !call) return std::nullopt;
    const auto& p = call->served.process;
    if (!p || p->listen.input != engine::data_type::ndjson ||
        p->listen.output != engine::data_type::none) {
        return std::nullopt;
    }
    auto props = call->process_props;
    if (auto id = correlation_id(req); !id.empty()) props["correlation_id"] = std::move(id);
    return bulk_call{p, std::move(props)};
}

asio::awaitable<std::optional<bulk_result>> receive_bulk(
    http::request_parser<http::string_body>& header, connection_stream& socket,
    boost::beast::flat_buffer& buffer, deadline& timer, bulk_call call, service& svc) {
    in_flight_guard guard(svc);
    http::request_parser<http::buffer_body> parser(std::move(header));
    parser.body_limit(svc.settings.bulk_body_limit);
    const http::request_header<>& req = parser.get();
    const auto refuse = [&](response res) { return bulk_result{std::move(res), false}; };

    if (auto refused = not_serving(req, svc.state.load())) co_return refuse(std::move(*refused));
    engine::submission base;
    engine::request_fingerprint fingerprint;
    if (auto bad =
            read_idempotency_key(req, call.process->listen.operation_name(), base, fingerprint)) {
        co_return refuse(std::move(*bad));
    }
    base.process_props = std::move(call.process_props);
    base.debug = engine::equals_ignoring_case(req["X-Debug"], "true");
    bulk_upload upload(svc, *call.process, std::move(base), fingerprint,
                       request_header_properties(req));
    const auto fail = [&](http::status status, std::string_view error, std::string_view detail) {
        return refuse(error_response(status, error, detail, req.version(), false));
    };
    const auto fail_input = [&](const engine::input_error& bad) {
        return refuse(input_error_response(bad, req.version(), false));
    };

    std::vector<char> chunk(read_chunk);
    std::string carried;  // a line begun in an earlier chunk
    std::optional<bulk_result> failure;
    while (!parser.is_done() && !failure) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        timer.arm(svc.settings.body_timeout);
        auto [ec, n] = co_await http::async_read(socket, buffer, parser, use_tuple);
        timer.disarm();
        if (ec == http::error::need_buffer) ec = {};
        if (timer.expired()) {
            failure = fail(http::status::request_timeout, "body_timeout",
                           "the request body stalled for longer than the body timeout");
        } else if (ec == http::error::body_limit) {
            failure = fail(http::status::payload_too_large, "body_too_large",
                           "the bulk body exceeds the limit of this server (" +
                               std::to_string(svc.settings.bulk_body_limit) + " bytes)");
        } else if (is_parse_error(ec)) {
            failure = fail(http::status::bad_request, "malformed_http",
                           "the request is not valid HTTP/1.1: " + ec.message());
        } else if (ec) {
            co_await upload.abort();
            co_return std::nullopt;  // the client went away: nothing was acknowledged
        }
        if (failure) break;

        std::string_view data(chunk.data(), chunk.size() - parser.get().body().size);
        upload.fingerprint(data);
        while (!data.empty()) {
            const auto newline = data.find('\n');
            if (newline == std::string_view::npos) {
                carried.append(data);
                break;
            }
            std::optional<engine::input_error> bad;
            if (carried.empty()) {
                bad = upload.add_line(data.substr(0, newline));
            } else {
                carried.append(data.substr(0, newline));
                bad = upload.add_line(carried);
                carried.clear();
            }
            data.remove_prefix(newline + 1);
            if (bad) {
                failure = fail_input(*bad);
                break;
            }
        }
        if (!failure) {
            if (auto bad = upload.check_partial(carried)) {
                failure = fail_input(*bad);
            }
        }
        if (!failure && upload.part_full()) {
            if (auto refused = co_await upload.flush(false, req))
                failure = refuse(std::move(*refused));
        }
    }
    if (!failure && !carried.empty()) {
        if (auto bad = upload.add_line(carried)) {
            failure = fail_input(*bad);
        }
    }
    if (!failure) {
        if (auto refused = co_await upload.flush(true, req)) {
            failure = bulk_result{std::move(*refused), true};
        }
    }
    if (failure) {
        co_await upload.abort();
        co_return failure;
    }
    const auto& closing = upload.closing_reply();
    auto res = answer_response(engine::receipt_reply(closing.accepted, true), req);
    mark_repeat(res, closing);
    co_return bulk_result{std::move(res), true};
}

}  // namespace ferry::ingress
