#include "ferry/profiles/xml_text.hpp"
#include "run/steps.hpp"

namespace ferry::engine {

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
            for (const auto& d : in) combined += profiles::without_xml_declaration(d.doc.data);
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
