// JSON text -> element tree, keeping every number exactly as written (1200.00 stays 1200.00,
// 12345678901234567890 is not rounded): amounts pass through maps untouched.
#include "ferry/profiles/element.hpp"

namespace ferry::profiles {
namespace {

constexpr std::size_t max_depth = 512;  // hostile nesting fails instead of overflowing the stack

class reader {
public:
    explicit reader(std::string_view text) : text_(text) {}

    boost::system::result<element, json_problem> document() {
        element root;
        skip_space();
        if (!value(root, 0)) return problem();
        skip_space();
        if (at_ < text_.size()) {
            fail("unexpected text after the JSON value");
            return problem();
        }
        return root;
    }

private:
    json_problem problem() const { return {error_at_ + 1, error_}; }

    bool fail(std::string message) {
        if (error_.empty()) {
            error_ = std::move(message);
            error_at_ = at_;
        }
        return false;
    }

    void skip_space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' ||
                                      text_[at_] == '\n' || text_[at_] == '\r')) {
            ++at_;
        }
    }

    bool literal(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) return fail("invalid literal");
        at_ += word.size();
        return true;
    }

    bool value(element& e, std::size_t depth) {
        if (depth > max_depth) return fail("nesting deeper than 512 levels");
        if (at_ >= text_.size()) return fail("unexpected end of input");
        e.offset = at_;
        switch (text_[at_]) {
            case '{':
                return object(e, depth);
            case '[':
                ++at_;
                return items(e, "item", depth);
            case '"':
                return string(e.text);
            case 't':
                e.kind = value_kind::boolean;
                e.text = "true";
                return literal("true");
            case 'f':
                e.kind = value_kind::boolean;
                e.text = "false";
                return literal("false");
            case 'n':
                e.kind = value_kind::null;
                return literal("null");
            default:
                return number(e);
        }
    }

    bool object(element& e, std::size_t depth) {
        e.object = true;
        ++at_;  // {
        skip_space();
        if (at_ < text_.size() && text_[at_] == '}') {
            ++at_;
            return true;
        }
        for (;;) {
            skip_space();
            if (at_ >= text_.size() || text_[at_] != '"') return fail("expected a member name");
            std::string name;
            if (!string(name)) return false;
            skip_space();
            if (at_ >= text_.size() || text_[at_] != ':') return fail("expected ':'");
            ++at_;
            skip_space();
            if (at_ < text_.size() && text_[at_] == '[') {
                // An array member is its items, each an element with the member's name.
                ++at_;
                if (!items(e, name, depth + 1)) return false;
            } else {
                element child;
                child.name = std::move(name);
                if (!value(child, depth + 1)) return false;
                e.children.push_back(std::move(child));
            }
            skip_space();
            if (at_ >= text_.size()) return fail("unexpected end of input in an object");
            if (text_[at_] == ',') {
                ++at_;
                continue;
            }
            if (text_[at_] == '}') {
                ++at_;
                return true;
            }
            return fail("expected ',' or '}'");
        }
    }

    // After '[': appends one `name` child per item to `parent`.
    bool items(element& parent, const std::string& name, std::size_t depth) {
        skip_space();
        if (at_ < text_.size() && text_[at_] == ']') {
            ++at_;
            return true;
        }
        for (;;) {
            skip_space();
            element child;
            child.name = name;
            child.array = true;
            if (!value(child, depth + 1)) return false;
            parent.children.push_back(std::move(child));
            skip_space();
            if (at_ >= text_.size()) return fail("unexpected end of input in an array");
            if (text_[at_] == ',') {
                ++at_;
                continue;
            }
            if (text_[at_] == ']') {
                ++at_;
                return true;
            }
            return fail("expected ',' or ']'");
        }
    }

    bool number(element& e) {
        const auto start = at_;
        const auto digits = [&] {
            const auto from = at_;
            while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
            return at_ > from;
        };
        if (at_ < text_.size() && text_[at_] == '-') ++at_;
        if (at_ < text_.size() && text_[at_] == '0') {
            ++at_;
        } else if (!digits()) {
            return fail("expected a JSON value");
        }
        if (at_ < text_.size() && text_[at_] == '.') {
            ++at_;
            if (!digits()) return fail("expected digits after '.'");
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            ++at_;
            if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
            if (!digits()) return fail("expected digits in the exponent");
        }
        e.kind = value_kind::number;
        e.text = std::string(text_.substr(start, at_ - start));
        return true;
    }

    static void append_utf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out.push_back(static_cast<char>(code));
        } else if (code < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (code >> 6)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else if (code < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (code >> 12)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (code >> 18)));
            out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        }
    }

    bool hex4(unsigned& out) {
        if (at_ + 4 > text_.size()) return fail("incomplete \\u escape");
        out = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[at_++];
            out <<= 4;
            if (c >= '0' && c <= '9') {
                out |= static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                out |= static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                out |= static_cast<unsigned>(c - 'A' + 10);
            } else {
                return fail("invalid \\u escape");
            }
        }
        return true;
    }

    bool string(std::string& out) {
        ++at_;  // "
        for (;;) {
            if (at_ >= text_.size()) return fail("unterminated string");
            const char c = text_[at_];
            if (c == '"') {
                ++at_;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
            if (c != '\\') {
                out.push_back(c);
                ++at_;
                continue;
            }
            if (++at_ >= text_.size()) return fail("unterminated string");
            const char escaped = text_[at_++];
            switch (escaped) {
                case '"':
                    out.push_back('"');
                    break;
                case '\\':
                    out.push_back('\\');
                    break;
                case '/':
                    out.push_back('/');
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'u': {
                    unsigned code = 0;
                    if (!hex4(code)) return false;
                    if (code >= 0xD800 && code < 0xDC00) {
                        unsigned low = 0;
                        if (text_.substr(at_, 2) != "\\u") return fail("unpaired surrogate");
                        at_ += 2;
                        if (!hex4(low)) return false;
                        if (low < 0xDC00 || low > 0xDFFF) return fail("unpaired surrogate");
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    } else if (code >= 0xDC00 && code <= 0xDFFF) {
                        return fail("unpaired surrogate");
                    }
                    append_utf8(out, code);
                    break;
                }
                default:
                    return fail("invalid escape");
            }
        }
    }

    std::string_view text_;
    std::size_t at_ = 0;
    std::string error_;
    std::size_t error_at_ = 0;
};

}  // namespace

boost::system::result<element, json_problem> parse_json(std::string_view text) {
    return reader(text).document();
}

}  // namespace ferry::profiles
