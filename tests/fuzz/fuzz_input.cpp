#include "fuzz_input.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace ferry::fuzz {
namespace {
constexpr std::string_view separator = "\n%%%\n";
}

std::uint8_t fuzz_input::take_byte() {
    if (rest_.empty()) return 0;
    const auto byte = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return byte;
}

std::string_view fuzz_input::take_part() {
    const auto end = rest_.find(separator);
    const auto part = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + separator.size());
    return part;
}

std::vector<std::string_view> fuzz_input::take_parts() {
    std::vector<std::string_view> parts;
    while (!rest_.empty()) parts.push_back(take_part());
    return parts;
}

input_file::input_file(std::string_view suffix) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/ferry-fuzz-" + std::to_string(::getpid()) +
            std::string(suffix);
}

input_file::~input_file() { std::remove(path_.c_str()); }

const std::string& input_file::write(std::string_view bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path_;
}

void invariant_broken(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "fuzz invariant broken: %.*s\n%.*s\n", static_cast<int>(what.size()),
                 what.data(), static_cast<int>(detail.size()), detail.data());
    std::abort();
}

}  // namespace ferry::fuzz
