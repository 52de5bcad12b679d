#include "ferry/store/records.hpp"

#include "ferry/store/codec.hpp"
#include "ferry/store/error.hpp"
#include "ferry/store/newer_formats.hpp"

namespace ferry::store {
namespace {

// First byte of every value: lets a later version change an encoding without a migration pass.
constexpr std::uint8_t execution_format = 3;     // 3 added reply_to
constexpr std::uint8_t execution_format_v2 = 2;  // 2 added debug and the trace
constexpr std::uint8_t execution_format_v1 = 1;
constexpr std::uint8_t document_format = 1;

void put_properties(byte_writer& out, const properties& props) {
    out.put_varint(props.size());
    for (const auto& [key, value] : props) {
        out.put_string(key);
        out.put_string(value);
    }
}

bool get_properties(byte_reader& in, properties& props) {
    const auto count = in.get_varint();
    if (!count) return false;
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto key = in.get_string();
        const auto value = in.get_string();
        if (!key || !value) return false;
        // Stored in order: each goes at the end, without a search.
        props.emplace_hint(props.end(), *key, *value);
    }
    return true;
}

std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

}  // namespace

std::string_view to_string(execution_state state) {
    switch (state) {
        case execution_state::queued:
            return "queued";
        case execution_state::running:
            return "running";
        case execution_state::succeeded:
            return "succeeded";
        case execution_state::failed:
            return "failed";
        case execution_state::cancelled:
            return "cancelled";
    }
    return "unknown";
}

std::optional<execution_state> parse_execution_state(std::string_view name) {
    for (const auto s :
         {execution_state::queued, execution_state::running, execution_state::succeeded,
          execution_state::failed, execution_state::cancelled}) {
        if (to_string(s) == name) return s;
    }
    return std::nullopt;
}

std::string encode_execution(const execution_record& rec) {
    byte_writer out;
    out.put_byte(execution_format);
    out.put_string(rec.id);
    out.put_string(rec.process);
    out.put_varint(rec.process_version);
    out.put_byte(static_cast<std::uint8_t>(rec.state));
    out.put_varint(zigzag(rec.created_ms));
    out.put_varint(zigzag(rec.started_ms));
    out.put_varint(zigzag(rec.finished_ms));
    out.put_varint(rec.attempts);
    out.put_varint(rec.pending_seq);
    out.put_varint(rec.document_ids.size());
    for (const auto& id : rec.document_ids) out.put_string(id);
    put_properties(out, rec.process_props);
    out.put_string(rec.error);
    out.put_byte(rec.debug ? 1 : 0);
    out.put_varint(rec.untraced_steps);
    out.put_varint(rec.trace.size());
    for (const auto& t : rec.trace) {
        out.put_string(t.step);
        out.put_string(t.kind);
        out.put_varint(t.documents_in);
        out.put_varint(t.documents_out);
        out.put_varint(t.documents_failed);
        out.put_varint(zigzag(t.started_ms));
        out.put_varint(t.micros);
        out.put_string(t.error);
        out.put_varint(t.output_ids.size());
        for (const auto& id : t.output_ids) out.put_string(id);
    }
    out.put_string(rec.reply_to);
    return out.take();
}

namespace {

/// The fields every execution record starts with after its format byte, as stored (times
/// zigzagged); the document ids follow.
struct record_head {
    std::string_view id;
    std::string_view process;
    std::uint64_t version = 0;
    std::uint8_t state = 0;
    std::uint64_t created = 0;
    std::uint64_t started = 0;
    std::uint64_t finished = 0;
    std::uint64_t attempts = 0;
    std::uint64_t seq = 0;
    std::uint64_t doc_count = 0;
};

std::optional<record_head> read_head(byte_reader& in, std::size_t size) {
    const auto id = in.get_string();
    const auto process = in.get_string();
    const auto version = in.get_varint();
    const auto state = in.get_byte();
    const auto created = in.get_varint();
    const auto started = in.get_varint();
    const auto finished = in.get_varint();
    const auto attempts = in.get_varint();
    const auto seq = in.get_varint();
    const auto doc_count = in.get_varint();
    if (!id || !process || !version || !state ||
        *state > static_cast<std::uint8_t>(execution_state::cancelled) || !created || !started ||
        !finished || !attempts || !seq || !doc_count || *doc_count > size) {
        return std::nullopt;
    }
    return record_head{*id,      *process,  *version,  *state, *created,
                       *started, *finished, *attempts, *seq,   *doc_count};
}

}  // namespace

boost::system::result<execution_record> decode_execution(std::string_view bytes) {
    byte_reader in(bytes);
    execution_record rec;
    const auto format = in.get_byte();
    const auto head = read_head(in, bytes.size());
    if (!format ||
        (*format != execution_format && *format != execution_format_v2 &&
         *format != execution_format_v1) ||
        !head) {
        return errc::corrupt_record;
    }
    rec.id = head->id;
    rec.process = head->process;
    rec.process_version = static_cast<std::uint32_t>(head->version);
    rec.state = static_cast<execution_state>(head->state);
    rec.created_ms = unzigzag(head->created);
    rec.started_ms = unzigzag(head->started);
    rec.finished_ms = unzigzag(head->finished);
    rec.attempts = static_cast<std::uint32_t>(head->attempts);
    rec.pending_seq = head->seq;
    rec.document_ids.reserve(head->doc_count);
    for (std::uint64_t i = 0; i < head->doc_count; ++i) {
        const auto doc_id = in.get_string();
        if (!doc_id) return errc::corrupt_record;
        rec.document_ids.emplace_back(*doc_id);
    }
    if (!get_properties(in, rec.process_props)) return errc::corrupt_record;
    const auto error = in.get_string();
    if (!error) return errc::corrupt_record;
    rec.error = *error;
    if (*format == execution_format_v1) {
        if (!in.at_end()) return errc::corrupt_record;
        return rec;
    }
    const auto debug = in.get_byte();
    const auto untraced = in.get_varint();
    const auto steps = in.get_varint();
    if (!debug || !untraced || !steps || *steps > bytes.size()) return errc::corrupt_record;
    rec.debug = *debug != 0;
    rec.untraced_steps = *untraced;
    rec.trace.reserve(*steps);
    for (std::uint64_t i = 0; i < *steps; ++i) {
        step_record t;
        const auto step = in.get_string();
        const auto kind = in.get_string();
        const auto in_count = in.get_varint();
        const auto out_count = in.get_varint();
        const auto failed = in.get_varint();
        const auto started = in.get_varint();
        const auto micros = in.get_varint();
        const auto step_error = in.get_string();
        const auto outputs = in.get_varint();
        if (!step || !kind || !in_count || !out_count || !failed || !started || !micros ||
            !step_error || !outputs || *outputs > bytes.size()) {
            return errc::corrupt_record;
        }
        t.step = *step;
        t.kind = *kind;
        t.documents_in = static_cast<std::uint32_t>(*in_count);
        t.documents_out = static_cast<std::uint32_t>(*out_count);
        t.documents_failed = static_cast<std::uint32_t>(*failed);
        t.started_ms = unzigzag(*started);
        t.micros = static_cast<std::uint32_t>(*micros);
        t.error = *step_error;
        for (std::uint64_t j = 0; j < *outputs; ++j) {
            const auto output = in.get_string();
            if (!output) return errc::corrupt_record;
            t.output_ids.emplace_back(*output);
        }
        rec.trace.push_back(std::move(t));
    }
    if (*format != execution_format_v2) {
        const auto reply_to = in.get_string();
        if (!reply_to) return errc::corrupt_record;
        rec.reply_to = *reply_to;
    }
    if (!in.at_end()) return errc::corrupt_record;
    return rec;
}

namespace {

/// Reads past a record's properties, checking them; false when they are malformed.
bool skip_properties(byte_reader& in) {
    const auto count = in.get_varint();
    if (!count) return false;
    for (std::uint64_t i = 0; i < *count; ++i) {
        if (!in.get_string() || !in.get_string()) return false;
    }
    return true;
}

/// Reads past the fields that follow a current-format record's error, checking them.
bool skip_after_error(byte_reader& in, std::size_t size) {
    const auto debug = in.get_byte();
    const auto untraced = in.get_varint();
    const auto steps = in.get_varint();
    if (!debug || !untraced || !steps || *steps > size) return false;
    for (std::uint64_t i = 0; i < *steps; ++i) {
        const bool head = in.get_string() && in.get_string() && in.get_varint() &&
                          in.get_varint() && in.get_varint() && in.get_varint() &&
                          in.get_varint() && in.get_string();
        const auto outputs = head ? in.get_varint() : std::nullopt;
        if (!outputs || *outputs > size) return false;
        for (std::uint64_t j = 0; j < *outputs; ++j) {
            if (!in.get_string()) return false;
        }
    }
    return in.get_string() && in.at_end();  // reply_to
}

}  // namespace

boost::system::result<restarted_execution> restart_execution(std::string_view stored,
                                                             std::int64_t started_ms,
                                                             std::uint32_t more_attempts,
                                                             std::uint64_t pending_seq) {
    byte_reader in(stored);
    const auto format = in.get_byte();
    if (format && *format != execution_format) {
        // An older form: decoded, and written in the current one.
        auto rec = decode_execution(stored);
        if (!rec) return rec.error();
        restarted_execution out;
        rec->state = execution_state::running;
        rec->started_ms = started_ms;
        rec->attempts += more_attempts;
        rec->pending_seq = pending_seq;
        rec->error.clear();
        out.bytes = encode_execution(*rec);
        out.id = std::move(rec->id);
        out.attempts = rec->attempts;
        out.document_ids = std::move(rec->document_ids);
        return out;
    }
    const auto head = read_head(in, stored.size());
    if (!format || !head) return errc::corrupt_record;
    restarted_execution out;
    out.id = head->id;
    out.attempts = static_cast<std::uint32_t>(head->attempts) + more_attempts;
    out.document_ids.reserve(head->doc_count);
    for (std::uint64_t i = 0; i < head->doc_count; ++i) {
        const auto doc_id = in.get_string();
        if (!doc_id) return errc::corrupt_record;
        out.document_ids.emplace_back(*doc_id);
    }
    // The properties are copied as they are; the error is dropped; the rest is copied.
    const auto from_properties = in.rest();
    if (!skip_properties(in)) return errc::corrupt_record;
    const auto properties = from_properties.substr(0, from_properties.size() - in.rest().size());
    if (!in.get_string()) return errc::corrupt_record;  // the error
    const auto after_error = in.rest();
    if (!skip_after_error(in, stored.size())) return errc::corrupt_record;

    byte_writer w;
    w.bytes().reserve(stored.size() + 16);
    w.put_byte(execution_format);
    w.put_string(head->id);
    w.put_string(head->process);
    w.put_varint(head->version);
    w.put_byte(static_cast<std::uint8_t>(execution_state::running));
    w.put_varint(head->created);  // zigzagged as stored
    w.put_varint(zigzag(started_ms));
    w.put_varint(head->finished);
    w.put_varint(out.attempts);
    w.put_varint(pending_seq);
    w.put_varint(out.document_ids.size());
    for (const auto& doc_id : out.document_ids) w.put_string(doc_id);
    w.put_raw(properties);
    w.put_string("");
    w.put_raw(after_error);
    out.bytes = w.take();
    return out;
}

boost::system::result<execution_head> check_execution(std::string_view stored) {
    byte_reader in(stored);
    const auto format = in.get_byte();
    const auto head = read_head(in, stored.size());
    if (!format || *format != execution_format || !head) return errc::corrupt_record;
    for (std::uint64_t i = 0; i < head->doc_count; ++i) {
        if (!in.get_string()) return errc::corrupt_record;
    }
    if (!skip_properties(in) || !in.get_string() || !skip_after_error(in, stored.size())) {
        return errc::corrupt_record;
    }
    return execution_head{head->id, static_cast<execution_state>(head->state),
                          unzigzag(head->finished), head->seq};
}

std::string encode_document(const document& doc) {
    byte_writer out;
    out.put_byte(document_format);
    put_properties(out, doc.props);
    out.put_raw(doc.data);  // the payload is the rest of the value: no copy on decode of size
    return out.take();
}

boost::system::result<document> decode_document(std::string_view bytes) {
    byte_reader in(bytes);
    document doc;
    const auto format = in.get_byte();
    if (!format || *format != document_format || !get_properties(in, doc.props)) {
        return errc::corrupt_record;
    }
    doc.data = in.rest();
    return doc;
}

bool newer_execution_format(std::string_view bytes) {
    return !bytes.empty() &&
           is_newer_format(static_cast<std::uint8_t>(bytes.front()), execution_format);
}

bool newer_document_format(std::string_view bytes) {
    return !bytes.empty() &&
           is_newer_format(static_cast<std::uint8_t>(bytes.front()), document_format);
}

bool check_document(std::string_view bytes) {
    byte_reader in(bytes);
    const auto format = in.get_byte();
    return format && *format == document_format && skip_properties(in);
}

std::string encode_dead_letter(const dead_letter& letter) {
    byte_writer w;
    w.put_string(letter.queue);
    w.put_varint(zigzag(letter.dead_ms));
    return w.take();
}

boost::system::result<dead_letter> decode_dead_letter(std::string_view id, std::string_view bytes) {
    byte_reader r(bytes);
    const auto queue = r.get_string();
    const auto dead = r.get_varint();
    if (!queue || !dead) return errc::corrupt_record;
    return dead_letter{std::string(id), std::string(*queue), unzigzag(*dead)};
}

}  // namespace ferry::store
