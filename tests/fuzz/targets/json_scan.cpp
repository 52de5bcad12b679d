// The JSON scanner that checks every JSON body before it is stored (RFC 8259), its array
// splitter and the ndjson line reader. Beside "never crashes": the scanner must agree with
// Boost.JSON, a parser nobody here wrote, on what is JSON (below ferry's nesting limit), and
// every element the splitter hands out must be JSON on its own.
#include "intake/json_scan.hpp"

#include <algorithm>
#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <ferry/engine/intake/request_documents.hpp>
#include <optional>

#include "fuzz_input.hpp"

namespace {
using ferry::fuzz::invariant_broken;

// Whether Boost.JSON reads `text`; nullopt when it cannot say: it stops at a number beyond a
// double's range, which is JSON all the same (RFC 8259 leaves the range to the reader, and
// ferry keeps numbers as written).
std::optional<bool> boost_json_reads(std::string_view text) {
    boost::json::parse_options options;
    options.max_depth = 100'000;
    boost::system::error_code ec;
    (void)boost::json::parse(text, ec, {}, options);
    if (ec == boost::json::error::exponent_overflow) return std::nullopt;
    return !ec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto problem = ferry::engine::validate_json(text);
    // ferry refuses nesting deeper than 512 levels; Boost.JSON is given more.
    const bool could_nest_deep =
        std::count(text.begin(), text.end(), '[') + std::count(text.begin(), text.end(), '{') >=
        512;
    const auto boost_reads = could_nest_deep ? std::nullopt : boost_json_reads(text);
    if (boost_reads && problem.has_value() == *boost_reads) {
        invariant_broken(problem ? "ferry refuses JSON that Boost.JSON reads"
                                 : "ferry accepts what Boost.JSON refuses",
                         problem ? problem->describe() : std::string(text));
    }
    if (problem && (problem->message.empty() || problem->line == 0 || problem->column == 0)) {
        invariant_broken("a JSON problem without its place and sentence");
    }
    std::vector<std::string_view> elements;
    if (!ferry::engine::split_json_array(text, elements)) {
        for (const auto element : elements) {
            if (ferry::engine::validate_json(element)) {
                invariant_broken("an array element that is not JSON on its own", element);
            }
        }
    }
    (void)ferry::engine::ndjson_line(text, 1);
    return 0;
}
