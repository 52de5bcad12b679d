#pragma once

#include <string_view>

#include "ferry/nats/pull_consumer.hpp"

namespace ferry::engine::cluster {

/// What the log says of a run that does not decode, in the words of the stream it came from.
struct unreadable_run_words {
    std::string_view component;     // "cluster", "queues"
    std::string_view newer_format;  // a run a newer ferry wrote: left in the stream
    std::string_view unreadable;    // any other: dropped
};

/// Ends the lease of a run that did not decode: a newer ferry's (an upgrade under way) is
/// offered again after newer_format_retry, for a node that reads it; anything else can never
/// run and is dropped. Either is logged with its stream sequence.
void set_aside_unreadable_run(nats::message& message, const unreadable_run_words& words);

}  // namespace ferry::engine::cluster
