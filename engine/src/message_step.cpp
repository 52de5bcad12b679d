#include "steps.hpp"

namespace ferry::engine {

// One output document per input document; document properties travel with it. With combine,
// one document: the template rendered once per input, concatenated, carrying the first
// document's properties.
step_output run_step(const message_step& step, std::vector<working_document> in,
                     step_context& ctx) {
    step_output out;
    if (!step.combine) {
        for (auto& d : in) d.doc.data = render(step.body, d, ctx);
        out.passed = std::move(in);
        return out;
    }
    if (in.empty()) return out;
    std::string combined;
    for (const auto& d : in) combined += render(step.body, d, ctx);
    auto first = std::move(in.front());
    first.doc.data = std::move(combined);
    out.passed.push_back(std::move(first));
    return out;
}

}  // namespace ferry::engine
