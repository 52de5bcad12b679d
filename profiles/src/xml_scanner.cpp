#include "xml_scanner.hpp"

namespace ferry::profiles::detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

namespace_declarations in_scope(namespace_declarations outer, const namespace_declarations& inner) {
    for (const auto& d : inner) {
        bool replaced = false;
        for (auto& o : outer) {
            if (o.name == d.name) {
                o = d;
                replaced = true;
            }
        }
        if (!replaced) outer.push_back(d);
    }
    return outer;
}

void xml_scanner::skip_past(std::string_view end) {
    const auto found = text_.find(end, at_);
    at_ = found == std::string_view::npos ? text_.size() : found + end.size();
}

// Comments and processing instructions carry no content.
bool xml_scanner::skip_comment_or_instruction() {
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

bool xml_scanner::skip_to_root() {
    for (;;) {
        at_ = text_.find('<', at_);
        if (at_ == std::string_view::npos) {
            at_ = text_.size();
            return false;
        }
        if (!skip_comment_or_instruction()) return true;
    }
}

// Quoted attribute values may hold '>'.
std::string_view xml_scanner::start_tag() {
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

xml_scanner::content xml_scanner::next_in_element() {
    for (;;) {
        while (at_ < text_.size() && is_space(text_[at_])) ++at_;
        if (at_ >= text_.size() || text_[at_] != '<') return content::text;
        if (skip_comment_or_instruction()) continue;
        if (starts("</")) return content::end;
        if (starts("<![CDATA[")) return content::text;
        return content::element;
    }
}

void xml_scanner::skip_end_tag() { skip_past(">"); }

void xml_scanner::skip_element() {
    int depth = empty_tag(start_tag()) ? 0 : 1;
    while (depth > 0) {
        at_ = text_.find('<', at_);
        if (at_ == std::string_view::npos) {
            at_ = text_.size();
            return;
        }
        if (skip_comment_or_instruction()) continue;
        if (starts("<![CDATA[")) {
            skip_past("]]>");
        } else if (starts("</")) {
            skip_past(">");
            --depth;
        } else if (!empty_tag(start_tag())) {
            ++depth;
        }
    }
}

std::string xml_scanner::cut_element(const namespace_declarations& inherited) {
    const auto begin = at_;
    const auto tag = start_tag();
    at_ = begin;
    skip_element();
    const auto name = tag_name(tag);
    const auto own = declarations(tag);
    std::string added;
    for (const auto& d : inherited) {
        bool redeclared = false;
        for (const auto& mine : own) redeclared = redeclared || mine.name == d.name;
        if (!redeclared) added += " " + d.attribute;
    }
    std::string out;
    out.reserve(at_ - begin + added.size());
    out.append(text_.substr(begin, 1 + name.size()));
    out += added;
    out.append(text_.substr(begin + 1 + name.size(), at_ - begin - 1 - name.size()));
    return out;
}

std::string_view xml_scanner::tag_name(std::string_view tag) {
    std::size_t end = 1;
    while (end < tag.size() && !is_space(tag[end]) && tag[end] != '>' && tag[end] != '/') ++end;
    return tag.substr(1, end - 1);
}

std::string_view xml_scanner::local_name(std::string_view qname) {
    const auto colon = qname.find(':');
    return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

std::string_view xml_scanner::prefix(std::string_view qname) {
    const auto colon = qname.find(':');
    return colon == std::string_view::npos ? std::string_view() : qname.substr(0, colon);
}

std::vector<std::pair<std::string_view, std::string_view>> xml_scanner::attributes(
    std::string_view tag) {
    std::vector<std::pair<std::string_view, std::string_view>> out;
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
        out.emplace_back(name, tag.substr(i + 1, close - i - 1));
        i = close + 1;
    }
    return out;
}

namespace_declarations xml_scanner::declarations(std::string_view tag) {
    namespace_declarations out;
    for (const auto& [name, value] : attributes(tag)) {
        if (name == "xmlns" || name.starts_with("xmlns:")) {
            // The attribute as written, from its name to its closing quote.
            const auto from = static_cast<std::size_t>(name.data() - tag.data());
            const auto to = static_cast<std::size_t>(value.data() - tag.data()) + value.size() + 1;
            out.push_back({std::string(name), std::string(tag.substr(from, to - from))});
        }
    }
    return out;
}

std::string xml_scanner::namespace_of(const namespace_declarations& scope,
                                      std::string_view prefix) {
    const std::string wanted = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
    for (const auto& d : scope) {
        if (d.name != wanted) continue;
        const auto open = d.attribute.find_first_of("\"'");
        return d.attribute.substr(open + 1, d.attribute.size() - open - 2);
    }
    return {};
}

}  // namespace ferry::profiles::detail
