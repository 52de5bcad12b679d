#include "run/run_state.hpp"

namespace ferry::engine {

// The documents become the process's reply (and what a waiting process_call gets back); with
// respond: early, the caller is answered as soon as no other path can still return.
void run_step(const return_step& step, std::vector<working_document> in, step_run& call) {
    auto& run = call.run;
    call.out = static_cast<std::uint32_t>(in.size());
    for (auto& d : in) run.outcome().returned.push_back(std::move(d));
    if (step.when == return_step::respond::early) run.respond_early();
}

}  // namespace ferry::engine
