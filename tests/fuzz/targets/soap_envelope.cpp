// A SOAP 1.1 or 1.2 envelope as the SOAP endpoints read it: an operation with its payload, or
// a problem with a sentence. Each payload element must be well-formed XML standing alone (the
// namespace declarations it needs copied onto it).
#include <ferry/profiles/soap_envelope.hpp>
#include <ferry/profiles/xml_check.hpp>
#include <ferry/profiles/xml_runtime.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    static const ferry::profiles::xml_runtime xml;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto request = ferry::profiles::read_soap_envelope(text);
    if (!request) return 0;
    if (request->operation.empty()) ferry::fuzz::invariant_broken("an operation without a name");
    for (const auto& payload : request->payload) {
        if (ferry::profiles::check_xml(payload)) {
            ferry::fuzz::invariant_broken("a payload that is not well-formed alone", payload);
        }
    }
    return 0;
}
