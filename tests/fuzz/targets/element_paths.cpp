// Element paths (`Customer/Name`, `lines/@id`) as maps, decisions and message variables use
// them: over any document, XML or JSON, and against each profile of examples/. Beside "never
// crashes": a JSON tree written out reads back to the same text.
#include <ferry/profiles/element.hpp>
#include <ferry/profiles/profile_path.hpp>

#include "example_profiles.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace profiles = ferry::profiles;
    const auto& examples = ferry::fuzz::example_profiles();  // starts Xerces, too
    ferry::fuzz::fuzz_input in(data, size);
    const auto selector = in.take_byte();
    const auto path = in.take_part();
    const auto document = in.rest();

    const auto& profile = examples[selector % examples.size()]->profile();
    (void)profiles::resolve_path(profile.root, path);

    const auto tree = profiles::parse_document(document);
    if (!tree) return 0;
    for (const auto* found : profiles::select(*tree, path)) {
        if (found == nullptr) ferry::fuzz::invariant_broken("select found a null element");
    }
    (void)profiles::value_at(*tree, path);
    if (document.find_first_not_of(" \t\r\n") != std::string_view::npos &&
        document[document.find_first_not_of(" \t\r\n")] != '<') {
        const auto written = profiles::write_json(*tree);
        const auto again = profiles::parse_json(written);
        if (!again)
            ferry::fuzz::invariant_broken("a written JSON tree does not read back", written);
        if (profiles::write_json(*again) != written) {
            ferry::fuzz::invariant_broken("a written JSON tree reads back as another", written);
        }
    }
    return 0;
}
