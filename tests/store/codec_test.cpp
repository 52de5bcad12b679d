#include "ferry/store/codec.hpp"

#include <gtest/gtest.h>

namespace ferry::store {

// Varints and strings read back exactly what was written, including boundary values.
TEST(CodecTest, RoundTripsVarintsAndStrings) {
    byte_writer out;
    const std::uint64_t values[] = {0, 1, 127, 128, 16383, 16384, ~0ull};
    for (auto v : values) out.put_varint(v);
    out.put_string("");
    out.put_string(std::string("a\0b", 3));
    const auto bytes = out.take();
    byte_reader in(bytes);
    for (auto v : values) EXPECT_EQ(in.get_varint(), v);
    EXPECT_EQ(in.get_string(), "");
    EXPECT_EQ(in.get_string(), std::string_view("a\0b", 3));
    EXPECT_TRUE(in.at_end());
}

// A length prefix that points past the end is detected instead of read past.
TEST(CodecTest, TruncatedStringIsRejected) {
    byte_writer out;
    out.put_string("hello");
    auto bytes = out.take();
    bytes.pop_back();
    byte_reader in(bytes);
    EXPECT_FALSE(in.get_string().has_value());
}

// Big-endian keys sort like the numbers they encode.
TEST(CodecTest, Be64OrderMatchesNumericOrder) {
    EXPECT_LT(encode_be64(255), encode_be64(256));
    EXPECT_LT(encode_be64(1), encode_be64(1ull << 40));
    EXPECT_EQ(decode_be64(encode_be64(0x0102030405060708ull)), 0x0102030405060708ull);
    EXPECT_FALSE(decode_be64("short").has_value());
}

}  // namespace ferry::store
