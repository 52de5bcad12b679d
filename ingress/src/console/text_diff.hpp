#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::ingress::console {

/// One line of a line-by-line comparison of two texts.
struct diff_line {
    enum class kind { same, removed, added } what;
    std::size_t old_number = 0;  // 1-based; 0 for an added line
    std::size_t new_number = 0;  // 1-based; 0 for a removed line
    std::string_view text;       // a view into the text it came from
};

/// The shortest edit from `before` to `after`, line by line (longest common subsequence).
/// nullopt when the texts are too long to compare here (more than 4,000 lines each).
std::optional<std::vector<diff_line>> diff_lines(std::string_view before, std::string_view after);

}  // namespace ferry::ingress::console
