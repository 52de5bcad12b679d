#include <atomic>

#include "run/run_state.hpp"

namespace ferry::engine {
namespace {

// Point-to-point messages take turns among a queue's listeners.
std::atomic<std::size_t> next_turn{0};

}  // namespace

// The documents become one message, stored when this execution finishes (with it, in one
// write): a delivery to one listener (point to point, taking turns among those not paused),
// or to every listener (publish; a paused one's copy waits for it), or parked for the queue
// until a process listens on it. The documents pass on unchanged.
void run_step(const queue_send_step& step, std::vector<working_document> in, step_run& call) {
    auto& run = call.run;
    const auto& settings = run.context().settings;
    if (!in.empty()) {
        started_execution message;
        message.process_props = {{"queue", step.queue},
                                 {"queue_delivery", "1"},
                                 {"sent_by", run.context().execution.id}};
        if (step.publish) message.process_props["queue_publish"] = "true";
        for (const auto& d : in) message.documents.push_back(d.doc);
        auto listeners = settings.host ? settings.host->queue_listeners(step.queue)
                                       : std::vector<queue_listener>();
        if (!step.publish) std::erase_if(listeners, [](const auto& l) { return l.paused; });
        if (listeners.empty()) {
            message.parked_on = step.queue;
            run.outcome().started.push_back(std::move(message));
        } else {
            const auto first = step.publish ? 0 : next_turn.fetch_add(1) % listeners.size();
            const auto count = step.publish ? listeners.size() : 1;
            for (std::size_t i = 0; i < count; ++i) {
                const auto& listener = listeners[first + i];
                auto delivery = message;
                delivery.process = listener.process->name;
                delivery.process_version = listener.process->version;
                if (listener.paused) delivery.parked_on = step.queue;
                run.outcome().started.push_back(std::move(delivery));
            }
        }
    }
    call.pass(std::move(in));
}

}  // namespace ferry::engine
