#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::profiles {

/// Formats a UTC time in milliseconds with a Java-style date mask (yyyy, yy, MM, dd, HH, mm,
/// ss, SSS; text in single quotes is literal, '' is a quote).
std::string format_date(std::int64_t epoch_ms, std::string_view mask);

/// Reads a date written with `mask` (the same letters as format_date) as UTC milliseconds;
/// nothing when the text does not fit the mask or names a day that does not exist.
std::optional<std::int64_t> parse_date(std::string_view text, std::string_view mask);

/// A regular expression (XML Schema dialect) that the texts of `mask` match: the shape only,
/// parse_date checks the values.
std::string mask_pattern(std::string_view mask);

/// Whether `mask` has at least one date field and its quotes are closed.
bool valid_mask(std::string_view mask);

}  // namespace ferry::profiles
