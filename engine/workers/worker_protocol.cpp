#include "workers/worker_protocol.hpp"

#include "ferry/store/codec.hpp"
#include "ferry/transport/error.hpp"

namespace ferry::engine::worker_protocol {
namespace {

constexpr auto bad = transport::errc::bad_message;

void put_frames(store::byte_writer& w, const transport::frames& f) {
    w.put_varint(f.size());
    for (const auto& frame : f) w.put_string(frame);
}

bool get_frames(store::byte_reader& r, transport::frames& out) {
    const auto count = r.get_varint();
    if (!count) return false;
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto frame = r.get_string();
        if (!frame) return false;
        out.emplace_back(*frame);
    }
    return true;
}

// `count` documents, each a string holding store::encode_document's bytes.
bool get_documents(store::byte_reader& r, std::uint64_t count, std::vector<store::document>& out) {
    for (std::uint64_t i = 0; i < count; ++i) {
        const auto bytes = r.get_string();
        if (!bytes) return false;
        auto doc = store::decode_document(*bytes);
        if (!doc) return false;
        out.push_back(std::move(*doc));
    }
    return true;
}

void put_pairs(store::byte_writer& w, const kept_answers& pairs) {
    w.put_varint(pairs.size());
    for (const auto& [key, value] : pairs) {
        w.put_string(key);
        w.put_string(value);
    }
}

bool get_pairs(store::byte_reader& r, kept_answers& out) {
    const auto count = r.get_varint();
    if (!count) return false;
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto key = r.get_string();
        const auto value = r.get_string();
        if (!key || !value) return false;
        out.emplace_back(*key, *value);
    }
    return true;
}

}  // namespace

std::string encode_header(const worker_header& h) {
    store::byte_writer w;
    w.put_byte(static_cast<std::uint8_t>(h.what));
    w.put_string(h.worker_id);
    w.put_varint(h.received);
    w.put_string(h.sequence_name);
    w.put_varint(h.count);
    return w.take();
}

boost::system::result<worker_header> decode_worker_header(std::string_view bytes) {
    store::byte_reader r(bytes);
    const auto what = r.get_byte();
    const auto id = r.get_string();
    const auto received = r.get_varint();
    const auto name = r.get_string();
    const auto count = r.get_varint();
    if (!what || !id || !received || !name || !count || !r.at_end() || *what < 1 || *what > 7) {
        return bad;
    }
    worker_header h;
    h.what = static_cast<kind>(*what);
    h.worker_id = *id;
    h.received = *received;
    h.sequence_name = *name;
    h.count = *count;
    return h;
}

// One frame (a message of many small frames costs more to send and receive than one copy):
// kind, number, generation, limits, how many executions, then per execution its lease, whether it
// is in memory, its record and its documents.
transport::frames encode_work(const work& w) {
    store::byte_writer out;
    out.put_byte(static_cast<std::uint8_t>(kind::work));
    out.put_varint(w.number);
    out.put_string(w.generation);
    out.put_varint(w.limits.kept.max_trace_entries);
    out.put_varint(w.limits.kept.max_kept_documents);
    out.put_varint(w.limits.kept.max_kept_bytes);
    out.put_varint(static_cast<std::uint64_t>(w.limits.page_ttl_ms));
    out.put_varint(static_cast<std::uint64_t>(w.limits.reply_ttl_ms));
    out.put_varint(w.limits.redelivery_ms.size());
    for (const auto delay : w.limits.redelivery_ms) out.put_varint(delay);
    out.put_varint(w.executions.size());
    // Encoded first, so that the message is allocated once, at its size.
    std::vector<std::string> encoded;
    std::vector<std::string_view> parts;
    std::size_t size = out.bytes().size();
    std::size_t count = 0;
    for (const auto& e : w.executions) count += 1 + e.document_count();
    encoded.reserve(count);  // parts point into it
    for (const auto& e : w.executions) {
        if (e.stored_record.empty()) {
            parts.push_back(encoded.emplace_back(store::encode_execution(e.record)));
        } else {
            parts.push_back(e.stored_record);
        }
        size += parts.back().size() + 24;
        for (const auto& doc : e.stored_documents) {
            parts.push_back(doc);
            size += doc.size() + 8;
        }
        for (const auto& doc : e.documents) {
            parts.push_back(encoded.emplace_back(store::encode_document(doc)));
            size += parts.back().size() + 8;
        }
    }
    out.bytes().reserve(size);
    auto part = parts.begin();
    for (const auto& e : w.executions) {
        out.put_varint(e.lease);
        out.put_byte(e.in_memory ? 1 : 0);
        out.put_string(*part++);
        out.put_varint(e.document_count());
        for (std::size_t d = 0; d < e.document_count(); ++d) out.put_string(*part++);
    }
    return {out.take()};
}

boost::system::result<work> decode_work(const transport::frames& in) {
    if (in.size() != 1) return bad;
    store::byte_reader r(in[0]);
    const auto what = r.get_byte();
    const auto number = r.get_varint();
    const auto generation = r.get_string();
    const auto trace = r.get_varint();
    const auto kept_documents = r.get_varint();
    const auto kept_bytes = r.get_varint();
    const auto page_ttl = r.get_varint();
    const auto reply_ttl = r.get_varint();
    const auto redeliveries = r.get_varint();
    if (!what || *what != static_cast<std::uint8_t>(kind::work) || !number || !generation ||
        !trace || !kept_documents || !kept_bytes || !page_ttl || !reply_ttl || !redeliveries ||
        *redeliveries > 100) {
        return bad;
    }
    std::vector<std::uint32_t> redelivery_ms;
    for (std::uint64_t i = 0; i < *redeliveries; ++i) {
        const auto delay = r.get_varint();
        if (!delay) return bad;
        redelivery_ms.push_back(static_cast<std::uint32_t>(*delay));
    }
    const auto count = r.get_varint();
    // Each execution takes a few bytes at least: a count past that is garbage.
    if (!count || *count > in[0].size()) return bad;
    work out;
    out.number = *number;
    out.generation = *generation;
    out.limits.redelivery_ms = std::move(redelivery_ms);
    out.limits.kept.max_trace_entries = *trace;
    out.limits.kept.max_kept_documents = *kept_documents;
    out.limits.kept.max_kept_bytes = *kept_bytes;
    out.limits.page_ttl_ms = static_cast<std::int64_t>(*page_ttl);
    out.limits.reply_ttl_ms = static_cast<std::int64_t>(*reply_ttl);
    out.executions.reserve(*count);
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto lease = r.get_varint();
        const auto in_memory = r.get_byte();
        const auto record_bytes = r.get_string();
        const auto documents = r.get_varint();
        if (!lease || !in_memory || !record_bytes || !documents) return bad;
        auto record = store::decode_execution(*record_bytes);
        if (!record) return bad;
        leased_execution e;
        e.lease = *lease;
        e.in_memory = *in_memory != 0;
        e.record = std::move(*record);
        if (!get_documents(r, *documents, e.documents)) return bad;
        out.executions.push_back(std::move(e));
    }
    if (!r.at_end()) return bad;
    return out;
}

std::optional<std::uint64_t> work_number(const transport::frames& in) {
    if (in.empty()) return std::nullopt;
    store::byte_reader r(in[0]);
    const auto what = r.get_byte();
    if (!what || *what != static_cast<std::uint8_t>(kind::work)) return std::nullopt;
    return r.get_varint();
}

std::string encode_results(std::span<const std::uint64_t> leases,
                           std::span<const store::execution_record> records,
                           const execution_output& out) {
    store::byte_writer w;
    w.put_varint(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        w.put_varint(i < leases.size() ? leases[i] : 0);
        w.put_string(store::encode_execution(records[i]));
    }
    w.put_varint(out.kept.size());
    for (const auto& [id, doc] : out.kept) {
        w.put_string(id);
        w.put_string(store::encode_document(doc));
    }
    w.put_varint(out.started.size());
    for (const auto& started : out.started) {
        w.put_string(store::encode_execution(started.record));
        w.put_varint(started.documents.size());
        for (const auto& doc : started.documents) w.put_string(store::encode_document(doc));
        w.put_string(started.parked_on);
        w.put_varint(static_cast<std::uint64_t>(started.not_before_ms));
    }
    w.put_varint(out.dead.size());
    for (const auto& letter : out.dead) {
        w.put_string(letter.execution_id);
        w.put_string(store::encode_dead_letter(letter));
    }
    w.put_varint(out.replies.size());
    for (const auto& reply : out.replies) put_frames(w, reply);
    put_pairs(w, out.answers);
    return w.take();
}

boost::system::result<results> decode_results(std::string_view bytes) {
    store::byte_reader r(bytes);
    results out;
    const auto count = r.get_varint();
    if (!count) return bad;
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto lease = r.get_varint();
        const auto record_bytes = r.get_string();
        if (!lease || !record_bytes) return bad;
        const auto head = store::check_execution(*record_bytes);
        if (!head) return bad;
        out.leases.push_back(*lease);
        out.records.push_back(*record_bytes);
        out.heads.push_back(*head);
    }
    const auto kept = r.get_varint();
    if (!kept) return bad;
    for (std::uint64_t i = 0; i < *kept; ++i) {
        const auto id = r.get_string();
        const auto doc_bytes = r.get_string();
        if (!id || !doc_bytes || !store::check_document(*doc_bytes)) return bad;
        out.output.encoded.documents.emplace_back(*id, *doc_bytes);
    }
    const auto started = r.get_varint();
    if (!started) return bad;
    for (std::uint64_t i = 0; i < *started; ++i) {
        const auto started_record = r.get_string();
        const auto documents = r.get_varint();
        if (!started_record || !documents) return bad;
        store::new_execution execution;
        auto rec = store::decode_execution(*started_record);
        if (!rec) return bad;
        execution.record = std::move(*rec);
        if (!get_documents(r, *documents, execution.documents)) return bad;
        const auto parked_on = r.get_string();
        const auto not_before = r.get_varint();
        if (!parked_on || !not_before) return bad;
        execution.parked_on = *parked_on;
        execution.not_before_ms = static_cast<std::int64_t>(*not_before);
        out.output.started.push_back(std::move(execution));
    }
    const auto dead = r.get_varint();
    if (!dead) return bad;
    for (std::uint64_t i = 0; i < *dead; ++i) {
        const auto id = r.get_string();
        const auto letter_bytes = r.get_string();
        if (!id || !letter_bytes) return bad;
        auto letter = store::decode_dead_letter(*id, *letter_bytes);
        if (!letter) return bad;
        out.output.dead.push_back(std::move(*letter));
    }
    const auto replies = r.get_varint();
    if (!replies) return bad;
    for (std::uint64_t i = 0; i < *replies; ++i) {
        transport::frames reply;
        if (!get_frames(r, reply)) return bad;
        out.output.replies.push_back(std::move(reply));
    }
    if (!get_pairs(r, out.output.answers) || !r.at_end()) return bad;
    return out;
}

std::string encode_report(const worker_report& r) {
    store::byte_writer w;
    w.put_string(r.id);
    w.put_varint(r.threads);
    w.put_varint(r.prefetched);
    const auto& e = r.executors;
    for (const auto v :
         {e.succeeded, e.failed, e.running, e.in_flight, e.waiting, e.partner_connections_opened,
          e.partner_calls_reused, e.partner_sessions_resumed}) {
        w.put_varint(v);
    }
    w.put_varint(e.partner_calls_in_flight.size());
    for (const auto& [partner, calls] : e.partner_calls_in_flight) {
        w.put_string(partner);
        w.put_varint(calls);
    }
    return w.take();
}

boost::system::result<worker_report> decode_report(std::string_view bytes) {
    store::byte_reader r(bytes);
    worker_report out;
    const auto id = r.get_string();
    const auto threads = r.get_varint();
    const auto prefetched = r.get_varint();
    if (!id || !threads || !prefetched) return bad;
    out.id = *id;
    out.threads = *threads;
    out.prefetched = *prefetched;
    auto& e = out.executors;
    for (auto* field :
         {&e.succeeded, &e.failed, &e.running, &e.in_flight, &e.waiting,
          &e.partner_connections_opened, &e.partner_calls_reused, &e.partner_sessions_resumed}) {
        const auto v = r.get_varint();
        if (!v) return bad;
        *field = *v;
    }
    const auto partners = r.get_varint();
    if (!partners) return bad;
    for (std::uint64_t i = 0; i < *partners; ++i) {
        const auto partner = r.get_string();
        const auto calls = r.get_varint();
        if (!partner || !calls) return bad;
        e.partner_calls_in_flight[std::string(*partner)] = *calls;
    }
    if (!r.at_end()) return bad;
    return out;
}

std::string encode_early_reply(const transport::frames& reply, const kept_answers& pages) {
    store::byte_writer w;
    put_frames(w, reply);
    put_pairs(w, pages);
    return w.take();
}

boost::system::result<std::pair<transport::frames, kept_answers>> decode_early_reply(
    std::string_view bytes) {
    store::byte_reader r(bytes);
    std::pair<transport::frames, kept_answers> out;
    if (!get_frames(r, out.first) || !get_pairs(r, out.second) || !r.at_end()) return bad;
    return out;
}

transport::frames encode_sequence_values(std::uint64_t first) {
    store::byte_writer w;
    w.put_byte(static_cast<std::uint8_t>(kind::sequence_values));
    w.put_varint(first);
    return {w.take()};
}

transport::frames encode_deployed(const std::string& generation,
                                  const std::vector<std::pair<std::string, std::string>>& files) {
    store::byte_writer w;
    w.put_byte(static_cast<std::uint8_t>(kind::deployed));
    w.put_string(generation);
    put_pairs(w, files);
    return {w.take()};
}

boost::system::result<server_message> decode_server_header(std::string_view bytes) {
    store::byte_reader r(bytes);
    const auto what = r.get_byte();
    if (!what) return bad;
    server_message out;
    out.what = static_cast<kind>(*what);
    switch (out.what) {
        case kind::work:
            return out;  // the rest is decode_work's
        case kind::sequence_values: {
            const auto first = r.get_varint();
            if (!first) return bad;
            out.first_value = *first;
            return out;
        }
        case kind::deployed: {
            const auto generation = r.get_string();
            if (!generation || !get_pairs(r, out.files)) return bad;
            out.generation = *generation;
            return out;
        }
        default:
            return bad;
    }
}

}  // namespace ferry::engine::worker_protocol
