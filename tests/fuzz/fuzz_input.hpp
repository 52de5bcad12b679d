#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::fuzz {

/// A fuzz input taken apart: a selector byte, then parts separated by a line of three '%'
/// ("\n%%%\n"), so that a seed is readable text and the fuzzer can change each part alone.
class fuzz_input {
public:
    fuzz_input(const std::uint8_t* data, std::size_t size)
        : rest_(reinterpret_cast<const char*>(data), size) {}

    /// The first byte (0 when there is none), consumed.
    std::uint8_t take_byte();
    /// The text up to the next separator (or all that is left), consumed with the separator.
    std::string_view take_part();
    /// Every part left.
    std::vector<std::string_view> take_parts();
    std::string_view rest() const { return rest_; }

private:
    std::string_view rest_;
};

/// A file the loaders that read files by path can read the input from: one per process, in
/// $TMPDIR (or /tmp), removed at exit.
class input_file {
public:
    explicit input_file(std::string_view suffix);
    ~input_file();
    input_file(const input_file&) = delete;
    input_file& operator=(const input_file&) = delete;

    /// Replaces the file's content with `bytes`; the path to read it from.
    const std::string& write(std::string_view bytes);

private:
    std::string path_;
};

/// Stops the fuzzer with a message when an invariant of the code under test does not hold
/// (an oracle beside "does not crash"): abort() is what libFuzzer records as a crash.
[[noreturn]] void invariant_broken(std::string_view what, std::string_view detail = {});

}  // namespace ferry::fuzz
