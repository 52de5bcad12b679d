#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::store {

/// Appends varints and length-prefixed strings to a byte string. The encodings of every
/// record kind are built from these two primitives (docs/storage.md).
class byte_writer {
public:
    void put_varint(std::uint64_t value);
    void put_string(std::string_view value);
    void put_byte(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }
    void put_raw(std::string_view value) { out_.append(value); }
    std::string& bytes() { return out_; }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

/// Reads what byte_writer wrote. Every getter returns nullopt on truncated or malformed input,
/// so a corrupt value is detected rather than read past its end.
class byte_reader {
public:
    explicit byte_reader(std::string_view in) : in_(in) {}
    std::optional<std::uint64_t> get_varint();
    std::optional<std::string_view> get_string();
    std::optional<std::uint8_t> get_byte();
    std::string_view rest() const { return in_.substr(pos_); }
    bool at_end() const { return pos_ == in_.size(); }

private:
    std::string_view in_;
    std::size_t pos_ = 0;
};

/// Big-endian fixed width, so that byte order equals numeric order in RocksDB keys.
std::string encode_be64(std::uint64_t value);
std::optional<std::uint64_t> decode_be64(std::string_view bytes);

}  // namespace ferry::store
