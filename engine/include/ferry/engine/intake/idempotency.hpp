#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/engine/intake/submission.hpp"

namespace ferry::engine {

/// Idempotent posts (SPEC §4, "Ack rule"): the first post carrying a caller's key claims it for
/// the retention window; a repeat of the same request gets the first post's receipt (or its
/// kept reply) and never runs the process again.

/// Where a claimed key lives in the store: "idem/<operation>/<key>" (answers column family),
/// so that keys of different operations never collide.
std::string idempotency_store_key(std::string_view operation, std::string_view key);

/// Whether `key` is acceptable as an Idempotency-Key: 1 to 255 visible ASCII characters.
bool valid_idempotency_key(std::string_view key);

/// What a claimed key remembers: the execution the first post created, and a fingerprint of
/// that post so that a different request reusing the key is refused, not silently answered.
struct idempotency_record {
    std::int64_t expires_ms = 0;
    std::string fingerprint;
    receipt original;
};
/// The stored form: 8-byte big-endian expiry first (as every value in the answers column
/// family, so the expiry sweep removes old keys), then fingerprint, execution id, count.
std::string encode_idempotency_record(const idempotency_record& record);
[[nodiscard]] boost::system::result<idempotency_record> decode_idempotency_record(
    std::string_view bytes);

/// A request's fingerprint, fed as its bytes arrive (a bulk body comes in chunks): 64-bit
/// FNV-1a, enough to tell a different request from a retry, not a security boundary.
class request_fingerprint {
public:
    void add(std::string_view bytes);
    std::string hex() const;

private:
    std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace ferry::engine
