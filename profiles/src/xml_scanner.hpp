#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "secure_reader.hpp"

namespace ferry::profiles::detail {

/// A namespace declaration of a start tag: its attribute name (`xmlns`, `xmlns:p`) and the
/// whole attribute as written (`xmlns:p="urn:x"`), so it can be copied onto another tag.
struct namespace_declaration {
    std::string name;
    std::string attribute;
};
using namespace_declarations = std::vector<namespace_declaration>;

/// `outer` with `inner` laid over it: what is in scope inside an element declaring `inner`.
namespace_declarations in_scope(namespace_declarations outer, const namespace_declarations& inner);

/// Walks a text already judged well-formed by Xerces (check_xml), telling markup from text and
/// tracking depth only, so that elements can be cut out with their exact bytes. Used where a
/// document is taken apart without being rebuilt: list wrappers, SOAP envelopes.
class xml_scanner {
public:
    explicit xml_scanner(std::string_view text) : text_(text) {}

    /// A problem at the scanner's position.
    xml_problem problem(std::string message) const {
        return problem_at(text_, at_, std::move(message));
    }
    std::size_t position() const { return at_; }
    void move_to(std::size_t at) { at_ = at; }

    /// Moves to the root element's '<', past the prolog. False when there is none.
    bool skip_to_root();
    /// The start tag beginning at the position (with '<' and '>'); moves past it.
    std::string_view start_tag();

    /// What comes next inside an element whose start tag was just read.
    enum class content { element, end, text };
    /// Skips whitespace, comments and processing instructions; stops at a child's '<', at the
    /// element's end tag (not consumed) or at the first other character data (text, CDATA).
    content next_in_element();
    /// Moves past the end tag at the position.
    void skip_end_tag();
    /// Skips the element whose start tag begins at the position, children and all.
    void skip_element();
    /// The element whose start tag begins at the position, whole, with the declarations of
    /// `inherited` it does not make itself added to its start tag, so that it stands alone.
    std::string cut_element(const namespace_declarations& inherited);

    static std::string_view tag_name(std::string_view tag);
    static std::string_view local_name(std::string_view qname);
    static std::string_view prefix(std::string_view qname);
    static bool empty_tag(std::string_view tag) { return tag.ends_with("/>"); }
    /// Every attribute of a start tag as (name, raw value between the quotes).
    static std::vector<std::pair<std::string_view, std::string_view>> attributes(
        std::string_view tag);
    static namespace_declarations declarations(std::string_view tag);
    /// The namespace URI `prefix` ("" = default) is bound to in `scope`, "" when unbound.
    /// Declarations are written by clients with plain URIs; entities in them are not expanded.
    static std::string namespace_of(const namespace_declarations& scope, std::string_view prefix);

private:
    bool starts(std::string_view s) const { return text_.substr(at_).starts_with(s); }
    void skip_past(std::string_view end);
    bool skip_comment_or_instruction();

    std::string_view text_;
    std::size_t at_ = 0;
};

}  // namespace ferry::profiles::detail
