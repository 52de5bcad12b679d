// A message step's template (SPEC §3: `{1}` placeholders, quote rules), parsed as when a
// process is loaded and rendered with values: a template or a sentence naming the column,
// never a crash. Also the date masks of `date` variables, reading and writing.
#include <ferry/engine/model/message_template.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ferry::fuzz::fuzz_input in(data, size);
    const std::size_t variables = in.take_byte() % 12;
    const auto text = in.take_part();
    auto values = std::vector<std::string>(variables);
    for (std::size_t i = 0; i < variables; ++i) values[i] = "\x01" + std::to_string(i + 1);
    const auto parsed = ferry::engine::message_template::parse(text, variables);
    if (parsed) {
        (void)parsed->render(values);
    } else if (parsed.error().empty()) {
        ferry::fuzz::invariant_broken("a template refused in silence");
    }
    const auto mask = in.take_part();
    (void)ferry::engine::parse_date(in.rest(), mask);
    (void)ferry::engine::format_date(1'700'000'000'123, mask);
    return 0;
}
