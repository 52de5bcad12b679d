#include "ferry/profiles/xml_list.hpp"

#include <utility>

#include "secure_reader.hpp"

namespace ferry::profiles {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The text is known to be well-formed, so a scanner that only tells markup from text and
// tracks depth finds every child exactly; Xerces has already judged everything else.
class list_scanner {
public:
    explicit list_scanner(std::string_view text) : text_(text) {}

    xml_problem problem(std::string message) const {
        return detail::problem_at(text_, at_, std::move(message));
    }

    boost::system::result<std::vector<std::string>, xml_problem> split(std::string_view root_name) {
        std::vector<std::string> out;
        if (!skip_to_root()) return problem("the document has no root element");
        const auto root_tag = start_tag();
        const auto name = local_name(tag_name(root_tag));
        if (name != root_name) {
            at_ = root_start_;
            return problem("the root element must be <" + std::string(root_name) +
                           "> (one child per document), not <" + std::string(name) + ">");
        }
        if (root_tag.ends_with("/>")) return out;
        root_declarations_ = namespace_declarations(root_tag);
        for (;;) {
            const auto text_start = at_;
            const auto next = text_.find('<', at_);
            if (next == std::string_view::npos) return problem("the root element is not closed");
            for (auto i = text_start; i < next; ++i) {
                if (!is_space(text_[i])) {
                    at_ = i;
                    return problem("text directly inside <" + std::string(root_name) +
                                   "> is not a document; every document must be an element");
                }
            }
            at_ = next;
            if (starts("</")) return out;  // the root's end tag
            if (skip_comment_or_instruction()) continue;
            if (starts("<![CDATA[")) {
                return problem("character data directly inside <" + std::string(root_name) +
                               "> is not a document; every document must be an element");
            }
            out.push_back(child());
        }
    }

private:
    bool starts(std::string_view s) const { return text_.substr(at_).starts_with(s); }

    void skip_past(std::string_view end) {
        const auto found = text_.find(end, at_);
        at_ = found == std::string_view::npos ? text_.size() : found + end.size();
    }

    // Comments and processing instructions are not documents.
    bool skip_comment_or_instruction() {
        if (starts("<!--")) {
            skip_past("-->");
            return true;
        }
        if (starts("<?")) {
            skip_past("?>");
            return true;
        }
        return false;
    }

    bool skip_to_root() {
        for (;;) {
            at_ = text_.find('<', at_);
            if (at_ == std::string_view::npos) return false;
            if (!skip_comment_or_instruction()) break;
        }
        root_start_ = at_;
        return true;
    }

    // The start tag beginning at at_ (with '<' and '>'); moves past it. Quoted attribute
    // values may hold '>'.
    std::string_view start_tag() {
        const auto begin = at_;
        char quote = 0;
        for (++at_; at_ < text_.size(); ++at_) {
            const char c = text_[at_];
            if (quote) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                ++at_;
                break;
            }
        }
        return text_.substr(begin, at_ - begin);
    }

    static std::string_view tag_name(std::string_view tag) {
        std::size_t end = 1;
        while (end < tag.size() && !is_space(tag[end]) && tag[end] != '>' && tag[end] != '/') ++end;
        return tag.substr(1, end - 1);
    }

    static std::string_view local_name(std::string_view qname) {
        const auto colon = qname.find(':');
        return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
    }

    // xmlns and xmlns:p attributes of a start tag, as (name, whole attribute text).
    static std::vector<std::pair<std::string, std::string>> namespace_declarations(
        std::string_view tag) {
        std::vector<std::pair<std::string, std::string>> out;
        std::size_t i = 1 + tag_name(tag).size();
        while (i < tag.size()) {
            while (i < tag.size() && is_space(tag[i])) ++i;
            const auto name_start = i;
            while (i < tag.size() && tag[i] != '=' && !is_space(tag[i]) && tag[i] != '>' &&
                   tag[i] != '/') {
                ++i;
            }
            const auto name = tag.substr(name_start, i - name_start);
            while (i < tag.size() && tag[i] != '"' && tag[i] != '\'' && tag[i] != '>') ++i;
            if (i >= tag.size() || tag[i] == '>') break;
            const char quote = tag[i];
            const auto close = tag.find(quote, i + 1);
            if (close == std::string_view::npos) break;
            if (name == "xmlns" || name.starts_with("xmlns:")) {
                out.emplace_back(std::string(name),
                                 std::string(tag.substr(name_start, close + 1 - name_start)));
            }
            i = close + 1;
        }
        return out;
    }

    // One child element, whole, with the root's namespace declarations it does not make itself.
    std::string child() {
        const auto begin = at_;
        const auto tag = start_tag();
        int depth = tag.ends_with("/>") ? 0 : 1;
        while (depth > 0) {
            at_ = text_.find('<', at_);
            if (at_ == std::string_view::npos) {
                at_ = text_.size();
                break;
            }
            if (skip_comment_or_instruction()) continue;
            if (starts("<![CDATA[")) {
                skip_past("]]>");
            } else if (starts("</")) {
                skip_past(">");
                --depth;
            } else if (!start_tag().ends_with("/>")) {
                ++depth;
            }
        }
        std::string out;
        const auto name = tag_name(tag);
        const auto own = namespace_declarations(tag);
        std::string inherited;
        for (const auto& [declared, attribute] : root_declarations_) {
            bool redeclared = false;
            for (const auto& mine : own) redeclared = redeclared || mine.first == declared;
            if (!redeclared) inherited += " " + attribute;
        }
        out.reserve(at_ - begin + inherited.size());
        out.append(text_.substr(begin, 1 + name.size()));
        out += inherited;
        out.append(text_.substr(begin + 1 + name.size(), at_ - begin - 1 - name.size()));
        return out;
    }

    std::string_view text_;
    std::size_t at_ = 0;
    std::size_t root_start_ = 0;
    std::vector<std::pair<std::string, std::string>> root_declarations_;
};

}  // namespace

boost::system::result<std::vector<std::string>, xml_problem> split_xml_list(
    std::string_view text, std::string_view root_name) {
    if (auto problem = check_xml(text)) return *problem;
    return list_scanner(text).split(root_name);
}

}  // namespace ferry::profiles
