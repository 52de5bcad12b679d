#include "ferry/engine/intake/idempotency.hpp"

#include <cstdio>

#include "ferry/store/codec.hpp"
#include "ferry/transport/error.hpp"

namespace ferry::engine {

std::string idempotency_store_key(std::string_view operation, std::string_view key) {
    std::string out = "idem/";
    out.append(operation).append("/").append(key);
    return out;
}

bool valid_idempotency_key(std::string_view key) {
    if (key.empty() || key.size() > 255) return false;
    for (const char c : key) {
        if (c < 0x21 || c > 0x7e) return false;
    }
    return true;
}

std::string encode_idempotency_record(const idempotency_record& record) {
    std::string out = store::encode_be64(static_cast<std::uint64_t>(record.expires_ms));
    store::byte_writer w;
    w.put_string(record.fingerprint);
    w.put_string(record.original.execution_id);
    w.put_varint(record.original.document_count);
    w.put_string(record.original.durability);
    return out + w.take();
}

boost::system::result<idempotency_record> decode_idempotency_record(std::string_view bytes) {
    if (bytes.size() < 8) return transport::errc::bad_message;
    const auto expires = store::decode_be64(bytes.substr(0, 8));
    store::byte_reader r(bytes.substr(8));
    const auto fingerprint = r.get_string();
    const auto id = r.get_string();
    const auto count = r.get_varint();
    const auto durability = r.get_string();
    if (!expires || !fingerprint || !id || !count || !durability || !r.at_end()) {
        return transport::errc::bad_message;
    }
    idempotency_record out;
    out.expires_ms = static_cast<std::int64_t>(*expires);
    out.fingerprint = *fingerprint;
    out.original.execution_id = *id;
    out.original.document_count = *count;
    out.original.durability = *durability;
    return out;
}

void request_fingerprint::add(std::string_view bytes) {
    for (const unsigned char c : bytes) {
        hash_ ^= c;
        hash_ *= 0x100000001b3ULL;
    }
}

std::string request_fingerprint::hex() const {
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash_));
    return out;
}

}  // namespace ferry::engine
