// XML as ferry reads it (Xerces-C++ behind the secure reader): the well-formedness check every
// XML body passes, the list splitter of multiple-XML bodies, and the element tree that maps and
// element paths read. Beside "never crashes": no external entity is ever read (a file holding a
// marker is offered at a path in the dictionary and seeds; what comes out must not depend on
// it), every piece the splitter hands out is well-formed on its own, and a tree written out reads
// back to the same text.
#include <ferry/profiles/element.hpp>
#include <ferry/profiles/xml_check.hpp>
#include <ferry/profiles/xml_list.hpp>
#include <ferry/profiles/xml_runtime.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_input.hpp"

namespace {
using ferry::fuzz::invariant_broken;
namespace profiles = ferry::profiles;

constexpr std::string_view secret = "FERRY-FUZZ-SECRET-MARKER";

void offer_secret(std::string_view text) {
    // The same path as in dict/xml_reader.dict and the seeds.
    std::ofstream("/tmp/ferry-fuzz-secret.txt", std::ios::trunc) << text;
}

// `output` is what a reader made of the input; `read_again()` reads it once more. Holding the
// marker does not prove a file was read: the input may spell it itself, in pieces around a
// processing instruction, as character references or in another encoding (one run found
// "FERRY<?pi x?>-FUZZ-SECRET-MARKER"). Only an output that changes with the file's text does,
// so the reader runs again with other text there.
template <class Read>
void must_not_leak(const std::string& output, Read read_again) {
    if (output.find(secret) == std::string::npos) return;
    offer_secret("FERRY-FUZZ-ANOTHER-TEXT");
    const auto again = read_again();
    offer_secret(secret);
    if (again != output) invariant_broken("an external entity was read", output);
}

std::string joined(const std::vector<std::string>& pieces) {
    std::string out;
    for (const auto& piece : pieces) out.append(piece).push_back('\0');
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    static const profiles::xml_runtime xml;
    offer_secret(secret);
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
        if (!pieces) return 0;
        for (const auto& piece : *pieces) {
            if (const auto p = profiles::check_xml(piece)) {
                invariant_broken("a list piece that is not well-formed alone", piece);
            }
        }
        must_not_leak(joined(*pieces), [&] {
            const auto again = profiles::split_xml_list(text);
            return again ? joined(*again) : std::string();
        });
        return 0;
    }
    const auto tree = profiles::parse_xml(text);
    if (tree && problem) invariant_broken("the tree reader takes XML the check refuses");
    if (!tree) return 0;
    const auto written = profiles::write_xml(*tree);
    must_not_leak(written, [&] {
        const auto again = profiles::parse_xml(text);
        return again ? profiles::write_xml(*again) : std::string();
    });
    const auto again = profiles::parse_xml(written);
    if (!again) invariant_broken("a written tree does not read back", written);
    if (profiles::write_xml(*again) != written) {
        invariant_broken("a written tree reads back as another", written);
    }
    return 0;
}
