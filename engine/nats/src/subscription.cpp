#include "ferry/nats/subscription.hpp"

#include <nats/nats.h>

namespace ferry::nats {

subscription::subscription(std::unique_ptr<std::function<void(std::string_view)>> on_message)
    : on_message_(std::move(on_message)) {}

subscription::~subscription() {
    auto* sub = static_cast<natsSubscription*>(sub_);
    if (sub == nullptr) return;
    // Drained, not just unsubscribed: the callback may be running on the client's thread, and
    // what it calls goes with this object.
    if (natsSubscription_Drain(sub) == NATS_OK) {
        natsSubscription_WaitForDrainCompletion(sub, 2000);
    }
    natsSubscription_Destroy(sub);
}

}  // namespace ferry::nats
