#include "intake/json_scan.hpp"

namespace ferry::engine {
namespace {

// Deeper nesting than this is refused rather than risking the stack on hostile input.
constexpr int max_depth = 512;

class scanner {
public:
    explicit scanner(std::string_view text) : text_(text) {}

    bool value() {
        skip_ws();
        if (pos_ >= text_.size()) return fail("expected a value but the text ended");
        switch (text_[pos_]) {
            case '{':
                return object();
            case '[':
                return array(nullptr);
            case '"':
                return string();
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return number();
        }
    }

    bool array(std::vector<std::string_view>* elements) {
        if (!enter()) return false;
        ++pos_;  // '['
        skip_ws();
        if (peek() == ']') return leave();
        for (;;) {
            skip_ws();
            const auto start = pos_;
            if (!value()) return false;
            if (elements) elements->push_back(text_.substr(start, pos_ - start));
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == ']') return leave();
            return fail("expected ',' or ']' in an array");
        }
    }

    bool top_level_array(std::vector<std::string_view>& elements) {
        skip_ws();
        if (peek() != '[') return fail("expected a JSON array ('[') at the top level");
        return array(&elements) && end();
    }

    bool end() {
        skip_ws();
        if (pos_ != text_.size()) return fail("unexpected text after the JSON value");
        return true;
    }

    json_error error() const {
        json_error e;
        e.offset = error_pos_;
        for (std::size_t i = 0; i < error_pos_ && i < text_.size(); ++i) {
            if (text_[i] == '\n') {
                ++e.line;
                e.column = 1;
            } else {
                ++e.column;
            }
        }
        e.message = message_;
        return e;
    }

private:
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

    void skip_ws() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                       text_[pos_] == '\n' || text_[pos_] == '\r')) {
            ++pos_;
        }
    }

    bool fail(const char* message) {
        error_pos_ = pos_;
        message_ = message;
        return false;
    }

    bool enter() {
        if (++depth_ > max_depth) return fail("nesting deeper than 512 levels");
        return true;
    }
    bool leave() {
        ++pos_;
        --depth_;
        return true;
    }

    bool object() {
        if (!enter()) return false;
        ++pos_;  // '{'
        skip_ws();
        if (peek() == '}') return leave();
        for (;;) {
            skip_ws();
            if (peek() != '"') return fail("expected a string key in an object");
            if (!string()) return false;
            skip_ws();
            if (peek() != ':') return fail("expected ':' after an object key");
            ++pos_;
            if (!value()) return false;
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == '}') return leave();
            return fail("expected ',' or '}' in an object");
        }
    }

    bool literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) return fail("invalid literal");
        pos_ += word.size();
        return true;
    }

    bool digits() {
        const auto start = pos_;
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
        return pos_ > start;
    }

    bool number() {
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
        } else if (!digits()) {
            return fail("expected a value (object, array, string, number, true, false or null)");
        }
        if (peek() == '.') {
            ++pos_;
            if (!digits()) return fail("expected digits after the decimal point");
        }
        if (peek() == 'e' || peek() == 'E') {
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (!digits()) return fail("expected digits in the exponent");
        }
        return true;
    }

    bool string() {
        ++pos_;  // opening quote
        while (pos_ < text_.size()) {
            const auto c = static_cast<unsigned char>(text_[pos_]);
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c < 0x20) return fail("control character inside a string (escape it)");
            if (c == '\\') {
                if (!escape()) return false;
            } else if (c >= 0x80) {
                if (!utf8()) return false;
            } else {
                ++pos_;
            }
        }
        return fail("string is not closed");
    }

    // The four hex digits after "\u" at `at` (the backslash), or -1.
    int code_unit(std::size_t at) const {
        if (at + 6 > text_.size() || text_[at] != '\\' || text_[at + 1] != 'u') return -1;
        int value = 0;
        for (std::size_t i = at + 2; i < at + 6; ++i) {
            const char h = text_[i];
            const int digit = h >= '0' && h <= '9'   ? h - '0'
                              : h >= 'a' && h <= 'f' ? h - 'a' + 10
                              : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                     : -1;
            if (digit < 0) return -1;
            value = value * 16 + digit;
        }
        return value;
    }

    bool escape() {
        ++pos_;
        const char c = peek();
        if (c == 'u') {
            // A surrogate must come in a pair (high, then low): a lone one is no character,
            // and every JSON reader the process uses refuses it.
            const auto unit = code_unit(pos_ - 1);
            if (unit < 0) return fail("\\u must be followed by four hex digits");
            if (unit >= 0xdc00 && unit <= 0xdfff) {
                return fail("\\u escapes a low surrogate without a high one before it");
            }
            pos_ += 5;
            if (unit >= 0xd800 && unit <= 0xdbff) {
                const auto low = code_unit(pos_);
                if (low < 0xdc00 || low > 0xdfff) {
                    return fail("\\u escapes a high surrogate without a low one after it");
                }
                pos_ += 6;
            }
            return true;
        }
        if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
            c == 't') {
            ++pos_;
            return true;
        }
        return fail("invalid escape sequence in a string");
    }

    // One UTF-8 encoded code point, rejecting overlong forms and surrogates.
    bool utf8() {
        const auto c = static_cast<unsigned char>(text_[pos_]);
        int extra = 0;
        unsigned min = 0;
        unsigned cp = 0;
        if ((c & 0xe0) == 0xc0) {
            extra = 1, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return fail("invalid UTF-8 byte in a string");
        }
        for (int i = 1; i <= extra; ++i) {
            if (pos_ + i >= text_.size()) return fail("truncated UTF-8 sequence in a string");
            const auto cc = static_cast<unsigned char>(text_[pos_ + i]);
            if ((cc & 0xc0) != 0x80) return fail("invalid UTF-8 sequence in a string");
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return fail("invalid UTF-8 code point in a string");
        }
        pos_ += static_cast<std::size_t>(extra) + 1;
        return true;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    int depth_ = 0;
    std::size_t error_pos_ = 0;
    std::string message_;
};

}  // namespace

std::string json_error::describe() const {
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

std::optional<json_error> validate_json(std::string_view text) {
    scanner s(text);
    if (s.value() && s.end()) return std::nullopt;
    return s.error();
}

std::optional<json_error> split_json_array(std::string_view text,
                                           std::vector<std::string_view>& elements) {
    scanner s(text);
    if (s.top_level_array(elements)) return std::nullopt;
    return s.error();
}

}  // namespace ferry::engine
