#include "steps.hpp"

namespace ferry::engine {

// Assignments apply in order, per document, so a later value may read an earlier one.
// A process property set from several documents keeps the last document's value.
step_output run_step(const set_properties_step& step, std::vector<working_document> in,
                     step_context& ctx) {
    for (auto& d : in) {
        for (const auto& a : step.assignments) {
            auto value = render(a.value, d, ctx);
            if (a.target == property_assignment::scope::document) {
                d.doc.props[a.name] = std::move(value);
            } else {
                ctx.process_props[a.name] = std::move(value);
            }
        }
    }
    return {std::move(in), {}};
}

}  // namespace ferry::engine
