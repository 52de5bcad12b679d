#include "ferry/engine/model/message_template.hpp"

#include <cctype>
#include <ctime>

namespace ferry::engine {

boost::system::result<message_template, std::string> message_template::parse(
    std::string_view text, std::size_t variable_count) {
    message_template out;
    segment current;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\'') {
            if (i + 1 < text.size() && text[i + 1] == '\'') {
                current.literal.push_back('\'');
                ++i;
            } else {
                quoted = !quoted;
            }
            continue;
        }
        if (quoted || c != '{') {
            current.literal.push_back(c);
            continue;
        }
        const auto close = text.find('}', i);
        if (close == std::string_view::npos) {
            return "template has '{' at column " + std::to_string(i + 1) +
                   " without a closing '}'; write a literal brace as '{'";
        }
        const auto number = text.substr(i + 1, close - i - 1);
        std::size_t index = 0;
        for (const char d : number) {
            if (!std::isdigit(static_cast<unsigned char>(d)) || index > 1000) {
                index = 0;
                break;
            }
            index = index * 10 + static_cast<std::size_t>(d - '0');
        }
        if (number.empty() || index == 0) {
            return "template placeholder '{" + std::string(number) + "}' at column " +
                   std::to_string(i + 1) +
                   " is not a variable number like {1}; write a literal brace as '{'";
        }
        if (index > variable_count) {
            return "template uses {" + std::to_string(index) + "} but the step defines " +
                   std::to_string(variable_count) + " variable(s)";
        }
        current.placeholder = index;
        out.segments_.push_back(std::move(current));
        current = {};
        i = close;
    }
    if (!current.literal.empty()) out.segments_.push_back(std::move(current));
    return out;
}

std::string message_template::render(const std::vector<std::string>& values) const {
    std::size_t size = 0;
    for (const auto& s : segments_) {
        size += s.literal.size();
        if (s.placeholder != 0) size += values[s.placeholder - 1].size();
    }
    std::string out;
    out.reserve(size);
    for (const auto& s : segments_) {
        out += s.literal;
        if (s.placeholder != 0) out += values[s.placeholder - 1];
    }
    return out;
}

}  // namespace ferry::engine
