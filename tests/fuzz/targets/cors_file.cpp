// The CORS file (docs/security.md, "CORS") as `ferry serve --cors` reads it: rules, or an
// error naming the file, line and problem. Rules read are then matched against an origin.
#include <ferry/ingress/listener_spec.hpp>
#include <variant>

#include "fuzz_input.hpp"
#include "http/cors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static ferry::fuzz::input_file file(".cors.yaml");
    ferry::fuzz::fuzz_input in(data, size);
    const auto origin = in.take_part();
    const auto rules = ferry::ingress::load_cors_rules(file.write(in.rest()));
    if (const auto* error = std::get_if<std::string>(&rules)) {
        if (error->empty()) ferry::fuzz::invariant_broken("a CORS file refused in silence");
        return 0;
    }
    (void)ferry::ingress::find_cors_rule(std::get<0>(rules), origin);
    return 0;
}
