// A profile file (SPEC §6, YAML) as `ferry validate` and a deploy read it: a profile or an
// error with line and column. What reads must write out as YAML that reads back to the same
// profile (write_profile's promise), and must compile to a validator or say why not.
#include <ferry/profiles/profile_yaml.hpp>
#include <ferry/profiles/validation.hpp>
#include <ferry/profiles/xml_runtime.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    static const ferry::profiles::xml_runtime xml;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace profiles = ferry::profiles;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto profile = profiles::read_profile(text);
    if (!profile) {
        if (profile.error().message.empty()) {
            ferry::fuzz::invariant_broken("a profile refused in silence");
        }
        return 0;
    }
    const auto written = profiles::write_profile(*profile);
    const auto again = profiles::read_profile(written);
    if (!again) ferry::fuzz::invariant_broken("a written profile does not read back", written);
    if (profiles::write_profile(*again) != written) {
        ferry::fuzz::invariant_broken("a written profile reads back as another", written);
    }
    const auto validator = profiles::validator::compile(std::move(*profile));
    if (!validator && validator.error().empty()) {
        ferry::fuzz::invariant_broken("a profile that does not compile, in silence");
    }
    return 0;
}
