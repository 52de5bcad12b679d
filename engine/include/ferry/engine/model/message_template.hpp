#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/profiles/date_mask.hpp"
#include "ferry/profiles/profile_path.hpp"

namespace ferry::engine {

/// Where a template variable's value comes from (SPEC §3, message step).
enum class variable_kind {
    static_text,        // the argument itself
    current_data,       // the document's bytes
    document_property,  // the named document property ("" when absent)
    process_property,   // the named process property ("" when absent)
    execution,          // execution_id, process_name, process_version, document_id, document_index
    date,               // the current UTC time formatted with the argument as mask
    element,            // the value at an element path of the current XML or JSON document
    unique,             // a fresh random 128-bit id in hex, different on every evaluation
    environment,        // the named environment variable of the ferry process ("" when unset)
    sequence,           // the next value of the named sequential value (1, 2, 3 ... never repeated)
};

struct variable {
    variable() = default;
    variable(variable_kind kind, std::string argument)
        : kind(kind), argument(std::move(argument)) {}

    variable_kind kind = variable_kind::static_text;
    std::string argument;
    /// Element variables of a step with a `profile`: how the profile types the value. A value
    /// that does not read as its type fails the document.
    std::optional<profiles::value_shape> shape;
    std::string profile;   // its name, for messages
    std::string date_out;  // `{element: x, date: MASK}`: a date value rewritten in this mask

    /// How the value is written once evaluated: the profile's shape, or a date in date_out.
    std::optional<profiles::value_shape> output_shape() const {
        if (!date_out.empty()) return profiles::value_shape{profiles::value_type::date, date_out};
        return shape;
    }
};

/// A message template with `{1}`, `{2}` ... placeholders, parsed once at load time with the
/// quote rules of SPEC §3: `''` is a literal quote, text between single quotes is literal
/// (so `'{'` writes a brace), and a lone quote is dropped.
class message_template {
public:
    /// Fails with a sentence naming the column of the problem: an unclosed `{`, a placeholder
    /// that is not a number, or one beyond `variable_count`.
    [[nodiscard]] static boost::system::result<message_template, std::string> parse(
        std::string_view text, std::size_t variable_count);

    /// Fills the placeholders with values[index - 1].
    std::string render(const std::vector<std::string>& values) const;

    const std::vector<variable>& variables() const { return variables_; }
    void set_variables(std::vector<variable> variables) { variables_ = std::move(variables); }

private:
    struct segment {
        std::string literal;
        std::size_t placeholder = 0;  // 1-based; 0 means literal only
    };
    std::vector<segment> segments_;
    std::vector<variable> variables_;
};

// Date masks live with the profiles (typed date elements use them too).
using profiles::format_date;
using profiles::parse_date;

}  // namespace ferry::engine
