#include "ferry/engine/intake/submission.hpp"

#include "ferry/store/codec.hpp"
#include "ferry/transport/error.hpp"

namespace ferry::engine {
namespace {

constexpr std::uint8_t wire_format = 5;  // 3 added reply_to, 4 the upload part, 5 idempotency

}  // namespace

std::string document_id(const std::string& execution_id, std::size_t index) {
    return execution_id + "-" + std::to_string(index);
}

std::vector<std::string> receipt::document_ids() const {
    std::vector<std::string> ids;
    ids.reserve(document_count);
    for (std::size_t i = 0; i < document_count; ++i) ids.push_back(document_id(execution_id, i));
    return ids;
}

store::new_execution new_execution_of(submission s, std::string id, std::int64_t created_ms) {
    using part = store::new_execution::part;
    store::new_execution execution;
    auto& rec = execution.record;
    rec.id = std::move(id);
    rec.process = std::move(s.process);
    rec.process_version = s.process_version;
    rec.created_ms = created_ms;
    rec.process_props = std::move(s.process_props);
    rec.debug = s.debug;
    rec.reply_to = std::move(s.reply_to);
    execution.arrives = s.arrives;
    // A staged part lists just its own ids; a closing part's record lists the whole upload's.
    const std::size_t first = s.arrives == part::whole ? 0 : s.first_document;
    const std::size_t from = s.arrives == part::staged ? first : 0;
    const std::size_t to = s.arrives == part::aborted ? 0 : first + s.documents.size();
    rec.document_ids.reserve(to - std::min(from, to));
    for (std::size_t i = from; i < to; ++i) rec.document_ids.push_back(document_id(rec.id, i));
    execution.first_document = s.arrives == part::closing ? first : 0;
    execution.documents = std::move(s.documents);
    return execution;
}

transport::frames encode_submission(const submission& s) {
    store::byte_writer header;
    header.put_byte(wire_format);
    header.put_string(s.process);
    header.put_varint(s.process_version);
    header.put_byte(s.debug ? 1 : 0);
    header.put_string(s.reply_to);
    header.put_byte(static_cast<std::uint8_t>(s.arrives));
    header.put_string(s.upload_id);
    header.put_varint(s.first_document);
    header.put_string(s.idempotency_key);
    header.put_string(s.fingerprint);
    header.put_varint(s.process_props.size());
    for (const auto& [key, value] : s.process_props) {
        header.put_string(key);
        header.put_string(value);
    }
    transport::frames out;
    out.reserve(s.documents.size() + 1);
    out.push_back(header.take());
    for (const auto& doc : s.documents) out.push_back(store::encode_document(doc));
    return out;
}

boost::system::result<submission> decode_submission(const transport::frames& in) {
    if (in.empty()) return transport::errc::bad_message;
    store::byte_reader header(in[0]);
    submission out;
    const auto format = header.get_byte();
    const auto process = header.get_string();
    const auto version = header.get_varint();
    const auto debug = header.get_byte();
    const auto reply_to = header.get_string();
    const auto arrives = header.get_byte();
    const auto upload_id = header.get_string();
    const auto first_document = header.get_varint();
    const auto idempotency_key = header.get_string();
    const auto fingerprint = header.get_string();
    const auto count = header.get_varint();
    if (!format || *format != wire_format || !process || !version || !debug || !reply_to ||
        !arrives || !upload_id || !first_document || !idempotency_key || !fingerprint || !count ||
        *arrives > static_cast<std::uint8_t>(store::new_execution::part::aborted)) {
        return transport::errc::bad_message;
    }
    out.arrives = static_cast<store::new_execution::part>(*arrives);
    out.upload_id = *upload_id;
    out.first_document = *first_document;
    out.idempotency_key = *idempotency_key;
    out.fingerprint = *fingerprint;
    out.debug = *debug != 0;
    out.reply_to = *reply_to;
    out.process = *process;
    out.process_version = static_cast<std::uint32_t>(*version);
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto key = header.get_string();
        const auto value = header.get_string();
        if (!key || !value) return transport::errc::bad_message;
        out.process_props.emplace(*key, *value);
    }
    out.documents.reserve(in.size() - 1);
    for (std::size_t i = 1; i < in.size(); ++i) {
        auto doc = store::decode_document(in[i]);
        if (!doc) return transport::errc::bad_message;
        out.documents.push_back(std::move(*doc));
    }
    return out;
}

transport::frames encode_reply(const intake_reply& reply) {
    store::byte_writer out;
    out.put_byte(static_cast<std::uint8_t>(reply.status));
    if (reply.status == intake_status::ok) {
        out.put_byte(reply.repeat ? 1 : 0);
        out.put_string(reply.accepted.execution_id);
        out.put_varint(reply.accepted.document_count);
        out.put_string(reply.accepted.durability);
    } else {
        out.put_string(reply.message);
    }
    return {out.take()};
}

boost::system::result<intake_reply> decode_reply(const transport::frames& in) {
    if (in.size() != 1) return transport::errc::bad_message;
    store::byte_reader reader(in[0]);
    intake_reply reply;
    const auto status = reader.get_byte();
    if (!status || *status > static_cast<std::uint8_t>(intake_status::cluster_unavailable)) {
        return transport::errc::bad_message;
    }
    reply.status = static_cast<intake_status>(*status);
    if (reply.status != intake_status::ok) {
        const auto message = reader.get_string();
        if (!message) return transport::errc::bad_message;
        reply.message = *message;
        return reply;
    }
    const auto repeat = reader.get_byte();
    const auto id = reader.get_string();
    const auto count = reader.get_varint();
    const auto durability = reader.get_string();
    if (!repeat || !id || !count || !durability) return transport::errc::bad_message;
    reply.repeat = *repeat != 0;
    reply.accepted.execution_id = *id;
    reply.accepted.durability = *durability;
    reply.accepted.document_count = *count;
    return reply;
}

}  // namespace ferry::engine
