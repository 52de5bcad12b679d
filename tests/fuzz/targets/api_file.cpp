// An API definition file (docs/apis.md) as a deploy reads it: an API, or a definition_error
// naming FILE:LINE:COLUMN; any other exception escaping the loader is a finding.
#include <ferry/engine/model/api_definition.hpp>
#include <ferry/engine/model/process_loader.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    (void)ferry::engine::is_api_definition_text(text);
    try {
        const auto api = ferry::engine::load_api_text(text, "fuzz.api.yaml");
        if (!api) ferry::fuzz::invariant_broken("a loaded API that is null");
    } catch (const ferry::engine::definition_error& e) {
        if (!std::string_view(e.what()).starts_with("fuzz.api.yaml")) {
            ferry::fuzz::invariant_broken("a definition error that does not name the file",
                                          e.what());
        }
    }
    return 0;
}
