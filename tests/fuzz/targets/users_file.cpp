// The users file (`<data>/users.json`, written by `ferry user`, read at start): users, or an
// error. What loads must save and load again to the same file.
#include <ferry/ingress/users.hpp>
#include <fstream>
#include <iterator>

#include "fuzz_input.hpp"

namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static ferry::fuzz::input_file file(".users.json");
    static ferry::fuzz::input_file saved(".users-saved.json");
    const auto& path = file.write({reinterpret_cast<const char*>(data), size});
    const auto users = ferry::ingress::user_directory::load(path);
    if (!users) return 0;
    const auto& saved_path = saved.write({});
    if (!users->save(saved_path)) ferry::fuzz::invariant_broken("loaded users do not save");
    const auto once = read_all(saved_path);
    const auto again = ferry::ingress::user_directory::load(saved_path);
    if (!again || !again->save(saved_path) || read_all(saved_path) != once) {
        ferry::fuzz::invariant_broken("a saved users file loads as other users", once);
    }
    return 0;
}
