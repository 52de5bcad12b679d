#include "run/steps.hpp"

namespace ferry::engine {

// Assignments apply in order, per document, so a later value may read an earlier one.
// A process property set from several documents keeps the last document's value.
step_output run_step(const set_properties_step& step, std::vector<working_document> in,
                     step_context& ctx) {
    step_output out;
    for (auto& d : in) {
        std::string error;
        for (const auto& a : step.assignments) {
            auto value = render(a.value, d, ctx);
            if (!value) {
                error = "set_properties: " + a.name + ": " + value.error();
                break;
            }
            if (a.target == property_assignment::scope::document) {
                d.doc.props[a.name] = std::move(*value);
            } else {
                ctx.process_props[a.name] = std::move(*value);
            }
        }
        if (error.empty()) {
            out.passed.push_back(std::move(d));
        } else {
            out.failed.emplace_back(std::move(d), std::move(error));
        }
    }
    return out;
}

}  // namespace ferry::engine
