#include "ferry/store/codec.hpp"

namespace ferry::store {

void byte_writer::put_varint(std::uint64_t value) {
    while (value >= 0x80) {
        out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
}

void byte_writer::put_string(std::string_view value) {
    put_varint(value.size());
    out_.append(value);
}

std::optional<std::uint64_t> byte_reader::get_varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos_ >= in_.size()) return std::nullopt;
        const auto byte = static_cast<std::uint8_t>(in_[pos_++]);
        value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return value;
    }
    return std::nullopt;  // more than ten bytes: not a varint we wrote
}

std::optional<std::string_view> byte_reader::get_string() {
    const auto size = get_varint();
    if (!size || *size > in_.size() - pos_) return std::nullopt;
    const auto value = in_.substr(pos_, *size);
    pos_ += *size;
    return value;
}

std::optional<std::uint8_t> byte_reader::get_byte() {
    if (pos_ >= in_.size()) return std::nullopt;
    return static_cast<std::uint8_t>(in_[pos_++]);
}

std::string encode_be64(std::uint64_t value) {
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i) {
        out[i] = static_cast<char>(value & 0xff);
        value >>= 8;
    }
    return out;
}

std::optional<std::uint64_t> decode_be64(std::string_view bytes) {
    if (bytes.size() != 8) return std::nullopt;
    std::uint64_t value = 0;
    for (const char c : bytes) value = (value << 8) | static_cast<std::uint8_t>(c);
    return value;
}

}  // namespace ferry::store
