// A listener as `ferry serve --listen` takes it (`https://0.0.0.0:9443?cert=...&role=admin`):
// settings, or a sentence naming the problem.
#include <ferry/ingress/listener_spec.hpp>
#include <variant>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto listener = ferry::ingress::parse_listener(text, {});
    if (const auto* error = std::get_if<std::string>(&listener); error && error->empty()) {
        ferry::fuzz::invariant_broken("a listener refused in silence");
    }
    return 0;
}
