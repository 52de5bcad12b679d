#include "run/run_state.hpp"

namespace ferry::engine {

// The documents go no further on this path; with execution: true, nothing else of the
// execution runs either, and it ends successfully.
void run_step(const stop_step& step, std::vector<working_document> /*in*/, step_run& call) {
    if (step.execution) call.run.stop();
}

}  // namespace ferry::engine
