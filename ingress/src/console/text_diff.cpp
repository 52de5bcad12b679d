#include "console/text_diff.hpp"

#include <cstdint>

namespace ferry::ingress::console {
namespace {

constexpr std::size_t most_lines = 4000;

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto end = text.find('\n');
        out.push_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return out;
}

}  // namespace

std::optional<std::vector<diff_line>> diff_lines(std::string_view before, std::string_view after) {
    const auto a = split_lines(before);
    const auto b = split_lines(after);
    if (a.size() > most_lines || b.size() > most_lines) return std::nullopt;
    // common[i][j]: the longest common subsequence of a[i..] and b[j..].
    const auto width = b.size() + 1;
    std::vector<std::uint16_t> common((a.size() + 1) * width, 0);
    for (auto i = a.size(); i-- > 0;) {
        for (auto j = b.size(); j-- > 0;) {
            common[i * width + j] =
                a[i] == b[j] ? static_cast<std::uint16_t>(common[(i + 1) * width + j + 1] + 1)
                             : std::max(common[(i + 1) * width + j], common[i * width + j + 1]);
        }
    }
    std::vector<diff_line> out;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() || j < b.size()) {
        if (i < a.size() && j < b.size() && a[i] == b[j]) {
            out.push_back({diff_line::kind::same, i + 1, j + 1, a[i]});
            ++i;
            ++j;
        } else if (j < b.size() &&
                   (i == a.size() || common[i * width + j + 1] >= common[(i + 1) * width + j])) {
            out.push_back({diff_line::kind::added, 0, j + 1, b[j]});
            ++j;
        } else {
            out.push_back({diff_line::kind::removed, i + 1, 0, a[i]});
            ++i;
        }
    }
    return out;
}

}  // namespace ferry::ingress::console
