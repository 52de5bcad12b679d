#include "ferry/profiles/xml_list.hpp"

#include "xml_scanner.hpp"

namespace ferry::profiles {

boost::system::result<std::vector<std::string>, xml_problem> split_xml_list(
    std::string_view text, std::string_view root_name) {
    if (auto problem = check_xml(text)) return *problem;
    // Well-formed, so the scanner finds every child exactly; Xerces has judged the rest.
    detail::xml_scanner scan(text);
    std::vector<std::string> out;
    if (!scan.skip_to_root()) return scan.problem("the document has no root element");
    const auto root_start = scan.position();
    const auto root_tag = scan.start_tag();
    const auto name = detail::xml_scanner::local_name(detail::xml_scanner::tag_name(root_tag));
    if (name != root_name) {
        scan.move_to(root_start);
        return scan.problem("the root element must be <" + std::string(root_name) +
                            "> (one child per document), not <" + std::string(name) + ">");
    }
    if (detail::xml_scanner::empty_tag(root_tag)) return out;
    const auto inherited = detail::xml_scanner::declarations(root_tag);
    for (;;) {
        switch (scan.next_in_element()) {
            case detail::xml_scanner::content::end:
                return out;
            case detail::xml_scanner::content::text:
                return scan.problem("text directly inside <" + std::string(root_name) +
                                    "> is not a document; every document must be an element");
            case detail::xml_scanner::content::element:
                out.push_back(scan.cut_element(inherited));
                break;
        }
    }
}

}  // namespace ferry::profiles
