#include "cluster/unreadable_run.hpp"

#include <string>

#include "cluster/cluster_messages.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {

void set_aside_unreadable_run(nats::message& message, const unreadable_run_words& words) {
    const auto seq = std::to_string(message.stream_seq());
    if (from_newer_ferry(message.data())) {
        log::warn(words.component, words.newer_format, {{"stream_seq", seq}});
        (void)message.nak(newer_format_retry);
        return;
    }
    log::error(words.component, words.unreadable, {{"stream_seq", seq}});
    (void)message.term();
}

}  // namespace ferry::engine::cluster
