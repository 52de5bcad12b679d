// A document checked against a profile (SPEC §6), as before a request is stored: the JSON
// walk and Xerces' validation against the generated XSD, for each profile of examples/. A
// document that does not fit gets the place and rule it breaks, never a crash.
#include "example_profiles.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& profiles = ferry::fuzz::example_profiles();
    ferry::fuzz::fuzz_input in(data, size);
    const auto& validator = *profiles[in.take_byte() % profiles.size()];
    const auto violation = validator.check(in.rest());
    if (violation && (violation->rule.empty() || violation->message.empty())) {
        ferry::fuzz::invariant_broken("a violation without its rule and sentence");
    }
    return 0;
}
