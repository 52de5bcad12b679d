#include "ferry/engine/intake/idempotency.hpp"

#include <gtest/gtest.h>

namespace ferry::engine {

TEST(Idempotency, RecordRoundTripsWithItsExpiryFirst) {
    idempotency_record record;
    record.expires_ms = 1'800'000'000'000;
    record.fingerprint = "00ff";
    record.original = {"exec-1", 3, "fsync"};
    const auto bytes = encode_idempotency_record(record);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x00\x00\x01\xa3\x18\x5c\x50\x00", 8));
    const auto back = decode_idempotency_record(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->expires_ms, record.expires_ms);
    EXPECT_EQ(back->fingerprint, "00ff");
    EXPECT_EQ(back->original.execution_id, "exec-1");
    EXPECT_EQ(back->original.document_count, 3u);
    EXPECT_EQ(back->original.durability, "fsync");
    EXPECT_FALSE(decode_idempotency_record(bytes.substr(0, bytes.size() - 1)));
    EXPECT_FALSE(decode_idempotency_record(bytes + "x"));
}

TEST(Idempotency, KeysAreVisibleAsciiAndScopedToTheOperation) {
    EXPECT_TRUE(valid_idempotency_key("a"));
    EXPECT_TRUE(valid_idempotency_key("550e8400-e29b-41d4-a716-446655440000"));
    EXPECT_TRUE(valid_idempotency_key(std::string(255, 'k')));
    EXPECT_FALSE(valid_idempotency_key(""));
    EXPECT_FALSE(valid_idempotency_key(std::string(256, 'k')));
    EXPECT_FALSE(valid_idempotency_key("a b"));
    EXPECT_FALSE(valid_idempotency_key("caf\xc3\xa9"));
    EXPECT_EQ(idempotency_store_key("createOrder", "k"), "idem/createOrder/k");
}

// Fed in pieces or whole, the same bytes give the same fingerprint; other bytes another.
TEST(Idempotency, FingerprintDependsOnlyOnTheBytes) {
    request_fingerprint whole;
    whole.add("hello world");
    request_fingerprint pieces;
    pieces.add("hello ");
    pieces.add("world");
    request_fingerprint other;
    other.add("hello worle");
    EXPECT_EQ(whole.hex(), pieces.hex());
    EXPECT_NE(whole.hex(), other.hex());
    EXPECT_EQ(whole.hex().size(), 16u);
    request_fingerprint empty;
    EXPECT_EQ(empty.hex(), "cbf29ce484222325");  // the FNV-1a offset basis
}

}  // namespace ferry::engine
