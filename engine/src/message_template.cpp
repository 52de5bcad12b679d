#include "ferry/engine/message_template.hpp"

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

namespace {

void append_number(std::string& out, long value, std::size_t width) {
    auto digits = std::to_string(value);
    if (digits.size() < width) out.append(width - digits.size(), '0');
    out += digits;
}

}  // namespace

std::string format_date(std::int64_t epoch_ms, std::string_view mask) {
    const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    std::string out;
    for (std::size_t i = 0; i < mask.size();) {
        const char c = mask[i];
        if (c == '\'') {
            const auto end = mask.find('\'', i + 1);
            if (end == i + 1) {
                out.push_back('\'');
            } else {
                out.append(mask.substr(i + 1, end == std::string_view::npos ? end : end - i - 1));
            }
            i = end == std::string_view::npos ? mask.size() : end + 1;
            continue;
        }
        std::size_t run = 1;
        while (i + run < mask.size() && mask[i + run] == c) ++run;
        switch (c) {
            case 'y':
                append_number(out, run == 2 ? (tm.tm_year + 1900) % 100 : tm.tm_year + 1900, run);
                break;
            case 'M':
                append_number(out, tm.tm_mon + 1, run);
                break;
            case 'd':
                append_number(out, tm.tm_mday, run);
                break;
            case 'H':
                append_number(out, tm.tm_hour, run);
                break;
            case 'm':
                append_number(out, tm.tm_min, run);
                break;
            case 's':
                append_number(out, tm.tm_sec, run);
                break;
            case 'S':
                append_number(out, static_cast<long>(epoch_ms % 1000), run);
                break;
            default:
                out.append(run, c);
        }
        i += run;
    }
    return out;
}

}  // namespace ferry::engine

namespace ferry::engine {

std::optional<std::int64_t> parse_date(std::string_view text, std::string_view mask) {
    int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
    std::size_t at = 0;
    // Reads exactly `run` digits (or 1-2 for single letters, as in "d" for 1..31).
    const auto read_digits = [&](std::size_t run, int& out) {
        std::size_t n = 0;
        int value = 0;
        const std::size_t most = run == 1 ? 2 : run;
        while (n < most && at + n < text.size() &&
               std::isdigit(static_cast<unsigned char>(text[at + n]))) {
            value = value * 10 + (text[at + n] - '0');
            ++n;
        }
        if (n == 0 || (run > 1 && n != run)) return false;
        at += n;
        out = value;
        return true;
    };
    for (std::size_t i = 0; i < mask.size();) {
        const char c = mask[i];
        if (c == '\'') {
            const auto end = mask.find('\'', i + 1);
            const auto literal = end == i + 1 ? std::string_view("'")
                                              : mask.substr(i + 1, end == std::string_view::npos
                                                                       ? end
                                                                       : end - i - 1);
            if (text.substr(at, literal.size()) != literal) return std::nullopt;
            at += literal.size();
            i = end == std::string_view::npos ? mask.size() : end + 1;
            continue;
        }
        std::size_t run = 1;
        while (i + run < mask.size() && mask[i + run] == c) ++run;
        bool ok = true;
        switch (c) {
            case 'y':
                ok = read_digits(run, year);
                if (ok && run == 2) year += 2000;
                break;
            case 'M': ok = read_digits(run, month); break;
            case 'd': ok = read_digits(run, day); break;
            case 'H': ok = read_digits(run, hour); break;
            case 'm': ok = read_digits(run, minute); break;
            case 's': ok = read_digits(run, second); break;
            case 'S': ok = read_digits(run, millis); break;
            default:
                ok = text.substr(at, run) == std::string(run, c);
                at += run;
        }
        if (!ok) return std::nullopt;
        i += run;
    }
    if (at != text.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60) {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const std::time_t seconds = timegm(&tm);
    // timegm normalises 31 February into March: such a date does not exist.
    if (tm.tm_mday != day || tm.tm_mon != month - 1) return std::nullopt;
    return static_cast<std::int64_t>(seconds) * 1000 + millis;
}

}  // namespace ferry::engine
