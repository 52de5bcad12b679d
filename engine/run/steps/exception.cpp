#include "run/run_state.hpp"

namespace ferry::engine {

// Each document fails with the rendered message; with execution: true, the whole execution
// fails with the first document's message instead.
void run_step(const exception_step& step, std::vector<working_document> in, step_run& call) {
    auto& run = call.run;
    std::vector<std::pair<working_document, std::string>> failures;
    for (auto& d : in) {
        auto message = render(step.message, d, run.context());
        failures.emplace_back(std::move(d),
                              message ? std::move(*message) : "exception: " + message.error());
    }
    if (step.execution && !failures.empty()) {
        call.first_error = failures.front().second;
        call.failed = static_cast<std::uint32_t>(failures.size());
        run.fail_execution(call.at, call.first_error);
    } else {
        call.fail(std::move(failures));
    }
}

}  // namespace ferry::engine
