#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

namespace ferry::engine {

/// Execution ids: 24 hex digits = milliseconds since the epoch (48 bits), a per-process counter
/// (24 bits) and a random per-process node value (24 bits). They sort by creation time, and
/// two processes (or one process before and after a clock step back) cannot collide.
/// Not thread-safe: one generator per thread.
class id_generator {
public:
    id_generator() : node_(std::random_device{}() & 0xffffff) {}

    std::string next() {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
        counter_ = (counter_ + 1) & 0xffffff;
        std::string out(24, '0');
        put_hex(out, 0, static_cast<std::uint64_t>(ms), 12);
        put_hex(out, 12, counter_, 6);
        put_hex(out, 18, node_, 6);
        return out;
    }

private:
    static void put_hex(std::string& out, std::size_t at, std::uint64_t value, int digits) {
        static constexpr char hex[] = "0123456789abcdef";
        for (int i = digits - 1; i >= 0; --i) {
            out[at + static_cast<std::size_t>(i)] = hex[value & 0xf];
            value >>= 4;
        }
    }

    std::uint64_t node_;
    std::uint64_t counter_ = 0;
};

/// 128 random bits as 32 hex digits, from a per-thread generator seeded by the OS: correlation
/// ids and the `unique` template variable.
inline std::string random_hex128() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(32, '0');
    for (std::size_t half = 0; half < 2; ++half) {
        auto bits = random();
        for (std::size_t i = 0; i < 16; ++i, bits >>= 4) out[half * 16 + i] = digits[bits & 15];
    }
    return out;
}

}  // namespace ferry::engine
