// A process definition file (YAML, SPEC §3) as `ferry validate`, a deploy or a start reads it,
// with profiles bundled in it (`--- # ferry profile NAME`): a process, or a definition_error
// naming FILE:LINE:COLUMN. Any other exception escaping the loader is a finding: a deploy
// would answer it without saying where the mistake is.
#include <ferry/engine/model/process_loader.hpp>
#include <ferry/profiles/xml_runtime.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    static const ferry::profiles::xml_runtime xml;  // XML profiles compile with Xerces
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto process = ferry::engine::load_process_text(text, "fuzz.yaml");
        if (!process) ferry::fuzz::invariant_broken("a loaded process that is null");
    } catch (const ferry::engine::definition_error& e) {
        if (!std::string_view(e.what()).starts_with("fuzz.yaml")) {
            ferry::fuzz::invariant_broken("a definition error that does not name the file",
                                          e.what());
        }
    }
    return 0;
}
