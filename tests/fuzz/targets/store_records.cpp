// Every record codec of the store, fed any bytes (a corrupted or truncated RocksDB value): each
// decode gives a value or an error, never a crash or a read past the end. What decodes must
// encode and decode again to the very same bytes, and a restarted execution must be a sound
// current-format record: a codec that reads a record one way and writes it another would
// silently change acknowledged work.
#include <ferry/engine/intake/idempotency.hpp>
#include <ferry/store/codec.hpp>
#include <ferry/store/records.hpp>

#include "fuzz_input.hpp"
#include "ops/deployment_entries.hpp"

namespace {
using ferry::fuzz::invariant_broken;
namespace store = ferry::store;

void execution_record(std::string_view bytes) {
    const auto decoded = store::decode_execution(bytes);
    const auto checked = store::check_execution(bytes);
    if (checked && !decoded)
        invariant_broken("check_execution accepts what decode_execution refuses");
    if (decoded) {
        const auto once = store::encode_execution(*decoded);
        const auto again = store::decode_execution(once);
        if (!again) invariant_broken("an encoded execution does not decode");
        if (store::encode_execution(*again) != once) {
            invariant_broken("an execution changes on its way through encode and decode");
        }
        if (!store::check_execution(once)) invariant_broken("check_execution refuses an encoding");
        if (checked && (checked->id != decoded->id || checked->state != decoded->state ||
                        checked->pending_seq != decoded->pending_seq)) {
            invariant_broken("check_execution and decode_execution read different heads");
        }
    }
    const auto restarted = store::restart_execution(bytes, 1'700'000'000'000, 1, 42);
    if (restarted) {
        if (!decoded) invariant_broken("restart_execution accepts what decode_execution refuses");
        const auto record = store::decode_execution(restarted->bytes);
        if (!record || !store::check_execution(restarted->bytes)) {
            invariant_broken("a restarted execution is not a sound record");
        }
        if (record->state != store::execution_state::running || record->pending_seq != 42 ||
            record->attempts != decoded->attempts + 1 || record->id != decoded->id ||
            record->document_ids != decoded->document_ids ||
            record->process_props != decoded->process_props || !record->error.empty()) {
            invariant_broken("a restarted execution lost or changed what it was");
        }
    }
}

void document_record(std::string_view bytes) {
    const auto decoded = store::decode_document(bytes);
    if (decoded.has_value() != store::check_document(bytes)) {
        invariant_broken("check_document and decode_document disagree");
    }
    if (decoded) {
        const auto once = store::encode_document(*decoded);
        const auto again = store::decode_document(once);
        if (!again || again->data != decoded->data || again->props != decoded->props) {
            invariant_broken("a document changes on its way through encode and decode");
        }
    }
}

void dead_letter_record(std::string_view bytes) {
    const auto decoded = store::decode_dead_letter("dl-1", bytes);
    if (decoded) {
        const auto again = store::decode_dead_letter("dl-1", store::encode_dead_letter(*decoded));
        if (!again || again->queue != decoded->queue || again->dead_ms != decoded->dead_ms) {
            invariant_broken("a dead letter changes on its way through encode and decode");
        }
    }
}

void idempotency_record(std::string_view bytes) {
    const auto decoded = ferry::engine::decode_idempotency_record(bytes);
    if (decoded) {
        const auto once = ferry::engine::encode_idempotency_record(*decoded);
        const auto again = ferry::engine::decode_idempotency_record(once);
        if (!again || ferry::engine::encode_idempotency_record(*again) != once) {
            invariant_broken("an idempotency record changes through encode and decode");
        }
    }
}

void definition_entry(ferry::fuzz::fuzz_input& in) {
    const std::string key(in.take_part());
    const std::string value(in.rest());
    const auto decoded = ferry::engine::decode_definition(key, value);
    if (!decoded) return;
    const auto kind = key.substr(0, key.find('/'));
    const auto again = ferry::engine::decode_definition(
        ferry::engine::definition_key(kind, decoded->name, decoded->version),
        ferry::engine::encode_definition(decoded->deployed_ms, decoded->file, decoded->text));
    if (!again || again->name != decoded->name || again->version != decoded->version ||
        again->deployed_ms != decoded->deployed_ms || again->file != decoded->file ||
        again->text != decoded->text) {
        invariant_broken("a stored definition changes on its way through encode and decode");
    }
}

void primitives(std::string_view bytes) {
    store::byte_reader in(bytes);
    while (!in.at_end()) {
        if (!in.get_varint() || !in.get_string()) break;
    }
    if (const auto value = store::decode_be64(bytes)) {
        if (bytes.size() != 8 || store::encode_be64(*value) != bytes) {
            invariant_broken("decode_be64 and encode_be64 disagree");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ferry::fuzz::fuzz_input in(data, size);
    switch (in.take_byte() % 6) {
        case 0:
            execution_record(in.rest());
            break;
        case 1:
            document_record(in.rest());
            break;
        case 2:
            dead_letter_record(in.rest());
            break;
        case 3:
            idempotency_record(in.rest());
            break;
        case 4:
            definition_entry(in);
            break;
        default:
            primitives(in.rest());
            break;
    }
    return 0;
}
