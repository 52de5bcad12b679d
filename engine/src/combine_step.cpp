#include "steps.hpp"

namespace ferry::engine {
namespace {

// An XML document's content without its declaration, so that it can be nested.
std::string_view without_declaration(std::string_view xml) {
    const auto start = xml.find_first_not_of(" \t\r\n");
    if (start != std::string_view::npos && xml.substr(start, 5) == "<?xml") {
        const auto end = xml.find("?>", start);
        if (end != std::string_view::npos) xml.remove_prefix(end + 2);
    }
    const auto body = xml.find_first_not_of(" \t\r\n");
    return body == std::string_view::npos ? std::string_view() : xml.substr(body);
}

}  // namespace

// One document from all: it carries the first document's properties. Zero documents give
// zero documents (the step passes nothing on).
step_output run_step(const combine_step& step, std::vector<working_document> in,
                     step_context& /*ctx*/) {
    step_output out;
    if (in.empty()) return out;
    std::string combined;
    switch (step.into) {
        case combine_step::format::json_array:
            combined = "[";
            for (std::size_t i = 0; i < in.size(); ++i) {
                if (i > 0) combined += ',';
                combined += in[i].doc.data;
            }
            combined += ']';
            break;
        case combine_step::format::xml_list:
            combined = "<" + step.element + ">";
            for (const auto& d : in) combined += without_declaration(d.doc.data);
            combined += "</" + step.element + ">";
            break;
        case combine_step::format::concatenate:
            for (std::size_t i = 0; i < in.size(); ++i) {
                if (i > 0) combined += step.separator;
                combined += in[i].doc.data;
            }
            break;
    }
    auto first = std::move(in.front());
    first.doc.data = std::move(combined);
    out.passed.push_back(std::move(first));
    return out;
}

}  // namespace ferry::engine
