#include "steps.hpp"

namespace ferry::engine {

// One output document per input document; document properties travel with it.
step_result run_step(const message_step& step, std::vector<working_document> in,
                     const step_context& ctx) {
    for (auto& d : in) d.doc.data = render(step.body, d, ctx);
    return in;
}

}  // namespace ferry::engine
