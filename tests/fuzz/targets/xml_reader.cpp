// XML as ferry reads it (Xerces-C++ behind the secure reader): the well-formedness check every
// XML body passes, the list splitter of multiple-XML bodies, and the element tree that maps and
// element paths read. Beside "never crashes": no external entity is ever read (a file holding a
// marker is offered at a path in the dictionary and seeds; its text must never come out), every
// piece the splitter hands out is well-formed on its own, and a tree written out reads back to
// the same text.
#include <ferry/profiles/element.hpp>
#include <ferry/profiles/xml_check.hpp>
#include <ferry/profiles/xml_list.hpp>
#include <ferry/profiles/xml_runtime.hpp>
#include <fstream>

#include "fuzz_input.hpp"

namespace {
using ferry::fuzz::invariant_broken;
namespace profiles = ferry::profiles;

constexpr std::string_view secret = "FERRY-FUZZ-SECRET-MARKER";

void offer_secret() {
    // The same path as in dict/xml_reader.dict and the seeds.
    std::ofstream("/tmp/ferry-fuzz-secret.txt") << secret;
}

void must_not_leak(std::string_view input, std::string_view output) {
    if (output.find(secret) != std::string_view::npos &&
        input.find(secret) == std::string_view::npos) {
        invariant_broken("an external entity was read", output);
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    static const profiles::xml_runtime xml;
    offer_secret();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ferry::fuzz::fuzz_input in(data, size);
    const auto selector = in.take_byte();
    const auto text = in.rest();
    const auto problem = profiles::check_xml(text);
    if (problem && (problem->message.empty() || problem->line == 0)) {
        invariant_broken("an XML problem without its place and sentence");
    }
    if (selector % 2 == 0) {
        const auto pieces = profiles::split_xml_list(text);
        if (pieces && problem) invariant_broken("the list splitter takes XML the check refuses");
        if (pieces) {
            for (const auto& piece : *pieces) {
                must_not_leak(text, piece);
                if (const auto p = profiles::check_xml(piece)) {
                    invariant_broken("a list piece that is not well-formed alone", piece);
                }
            }
        }
        return 0;
    }
    const auto tree = profiles::parse_xml(text);
    if (tree && problem) invariant_broken("the tree reader takes XML the check refuses");
    if (!tree) return 0;
    const auto written = profiles::write_xml(*tree);
    must_not_leak(text, written);
    const auto again = profiles::parse_xml(written);
    if (!again) invariant_broken("a written tree does not read back", written);
    if (profiles::write_xml(*again) != written) {
        invariant_broken("a written tree reads back as another", written);
    }
    return 0;
}
