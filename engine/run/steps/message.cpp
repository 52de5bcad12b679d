#include "run/steps.hpp"

namespace ferry::engine {

// One output document per input document; document properties travel with it. With combine,
// one document: the template rendered once per input, concatenated, carrying the first
// document's properties. A document whose element values are not what the step's profile
// says fails (with combine, it is left out of the combined document).
step_output run_step(const message_step& step, std::vector<working_document> in,
                     step_context& ctx) {
    step_output out;
    std::string combined;
    for (auto& d : in) {
        auto rendered = render(step.body, d, ctx);
        if (!rendered) {
            out.failed.emplace_back(std::move(d), "message: " + rendered.error());
        } else if (step.combine) {
            combined += *rendered;
            if (out.passed.empty()) out.passed.push_back(std::move(d));
        } else {
            d.doc.data = std::move(*rendered);
            out.passed.push_back(std::move(d));
        }
    }
    if (step.combine && !out.passed.empty()) out.passed.front().doc.data = std::move(combined);
    return out;
}

}  // namespace ferry::engine
