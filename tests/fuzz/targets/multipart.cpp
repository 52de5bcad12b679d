// A multipart body (RFC 2046) and its Content-Type: the boundary is found or refused with a
// sentence, the body is parts or refused with a sentence. Each part's bytes lie within the
// body, and each part's headers become properties whose names say where they came from.
#include "intake/multipart.hpp"

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ferry::fuzz::fuzz_input in(data, size);
    const auto content_type = in.take_part();
    const auto body = in.rest();
    const auto boundary = ferry::engine::multipart_boundary(content_type);
    if (!boundary) {
        if (boundary.error().empty())
            ferry::fuzz::invariant_broken("a boundary refused in silence");
        return 0;
    }
    const auto parts = ferry::engine::split_multipart(body, *boundary);
    if (!parts) {
        if (parts.error().empty()) ferry::fuzz::invariant_broken("a body refused in silence");
        return 0;
    }
    std::size_t bytes = 0;
    for (const auto& part : *parts) {
        bytes += part.data.size();
        for (const auto& [name, value] : part.props) {
            if (!name.starts_with("inheader_") && !name.starts_with("inpart_")) {
                ferry::fuzz::invariant_broken("a part property of no known origin", name);
            }
        }
    }
    if (bytes > body.size()) ferry::fuzz::invariant_broken("parts larger than their body");
    return 0;
}
