// Java-style date masks (yyyy, yy, MM, dd, HH, mm, ss, SSS; 'literal' text), shared by profiles
// (typed date elements), maps and message templates.
#include "ferry/profiles/date_mask.hpp"

#include <cctype>
#include <ctime>
#include <limits>

namespace ferry::profiles {
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

std::optional<std::int64_t> parse_date(std::string_view text, std::string_view mask) {
    int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
    std::size_t at = 0;
    // Reads exactly `run` digits (or 1-2 for single letters, as in "d" for 1..31). A value
    // past 999,999,999 (a mask of ten y's or S's) is no field's, and would not fit: refused.
    const auto read_digits = [&](std::size_t run, int& out) {
        std::size_t n = 0;
        int value = 0;
        const std::size_t most = run == 1 ? 2 : run;
        while (n < most && at + n < text.size() &&
               std::isdigit(static_cast<unsigned char>(text[at + n]))) {
            if (value > 99'999'999) return false;
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
            const auto literal =
                end == i + 1
                    ? std::string_view("'")
                    : mask.substr(i + 1, end == std::string_view::npos ? end : end - i - 1);
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
            case 'M':
                ok = read_digits(run, month);
                break;
            case 'd':
                ok = read_digits(run, day);
                break;
            case 'H':
                ok = read_digits(run, hour);
                break;
            case 'm':
                ok = read_digits(run, minute);
                break;
            case 's':
                ok = read_digits(run, second);
                break;
            case 'S':
                ok = read_digits(run, millis);
                break;
            default:
                ok = text.substr(at, run) == std::string(run, c);
                at += run;
        }
        if (!ok) return std::nullopt;
        i += run;
    }
    if (at != text.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60 || millis > 999) {
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
    // A year so far out that its milliseconds do not fit in 64 bits.
    constexpr std::int64_t latest = std::numeric_limits<std::int64_t>::max() / 1000 - 1;
    if (seconds > latest) return std::nullopt;
    return static_cast<std::int64_t>(seconds) * 1000 + millis;
}

namespace {

/// The values one field can take, as a pattern ([0-9]: XML Schema's \\d is any Unicode digit).
std::string field_pattern(char field, std::size_t run) {
    if (run == 1) return "[0-9]{1,2}";
    if (run == 2) {
        switch (field) {
            case 'M':
                return "(0[1-9]|1[0-2])";
            case 'd':
                return "(0[1-9]|[12][0-9]|3[01])";
            case 'H':
                return "([01][0-9]|2[0-3])";
            case 'm':
                return "[0-5][0-9]";
            case 's':
                return "([0-5][0-9]|60)";
            default:
                break;
        }
    }
    return "[0-9]{" + std::to_string(run) + "}";
}

}  // namespace

std::string mask_pattern(std::string_view mask) {
    std::string out;
    const auto literal = [&out](std::string_view text) {
        for (const char c : text) {
            if (std::string_view("\\.^$|?*+()[]{}-").find(c) != std::string_view::npos) {
                out.push_back('\\');
            }
            out.push_back(c);
        }
    };
    for (std::size_t i = 0; i < mask.size();) {
        const char c = mask[i];
        if (c == '\'') {
            const auto end = mask.find('\'', i + 1);
            literal(end == i + 1
                        ? std::string_view("'")
                        : mask.substr(i + 1, end == std::string_view::npos ? end : end - i - 1));
            i = end == std::string_view::npos ? mask.size() : end + 1;
            continue;
        }
        std::size_t run = 1;
        while (i + run < mask.size() && mask[i + run] == c) ++run;
        if (std::string_view("yMdHmsS").find(c) != std::string_view::npos) {
            out += field_pattern(c, run);
        } else {
            literal(mask.substr(i, run));
        }
        i += run;
    }
    return out;
}

bool valid_mask(std::string_view mask) {
    bool any = false;
    for (std::size_t i = 0; i < mask.size(); ++i) {
        if (mask[i] == '\'') {
            const auto end = mask.find('\'', i + 1);
            if (end == std::string_view::npos) return false;
            i = end;
        } else if (std::string_view("yMdHmsS").find(mask[i]) != std::string_view::npos) {
            any = true;
        }
    }
    return any;
}

}  // namespace ferry::profiles
