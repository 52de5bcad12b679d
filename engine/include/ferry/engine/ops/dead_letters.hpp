#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/engine/intake/submission.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/refusal.hpp"
#include "ferry/store/store.hpp"

namespace ferry::engine {

// Internal queues as operators see them (SPEC §3, §7). Every function reads the store: call
// them off the I/O threads.

/// A dead letter with the execution of its last delivery (its documents, trace and error);
/// `execution` is empty when retention has deleted it.
struct dead_letter_view {
    store::dead_letter letter;
    std::optional<store::execution_record> execution;
    /// read_dead_letter only: the earlier deliveries of the message, first one first (each
    /// execution's redelivery_of links to the one before).
    std::vector<store::execution_record> earlier_deliveries;
};

struct dead_letter_page {
    std::vector<dead_letter_view> letters;
    std::string next_cursor;  // "" when there are no more
};

/// Dead letters oldest first, of `queue` ("" for every queue), after `cursor`.
boost::system::result<dead_letter_page> read_dead_letters(const store::store& db,
                                                          std::string_view queue,
                                                          std::string_view cursor,
                                                          std::size_t limit);
boost::system::result<dead_letter_view> read_dead_letter(const store::store& db,
                                                         std::string_view id);

/// The submission that resends dead letter `id`: its documents as a first delivery (with
/// every redelivery ahead of it again) to the active version of the process it failed in, with
/// the process property `resent_from` naming it. Refusals: unknown_dead_letter,
/// process_not_deployed, documents_missing, storage_error.
refused_or<submission> resend_submission(const store::store& db, const registry& processes,
                                         const std::string& id);

/// One internal queue: who listens, who sends, what waits.
struct queue_status {
    std::string name;
    std::vector<std::string> listeners;  // active processes listening on it
    std::vector<std::string> paused;     // of those, the paused ones (their messages park)
    std::vector<std::string> senders;    // active processes with a queue_send step to it
    std::size_t parked = 0;              // messages waiting for a listener
    std::size_t dead_letters = 0;
};

/// Every queue something listens on, sends to, or has messages or dead letters in, by name.
/// Cluster mode: the messages parked in the cluster (parked_messages.hpp) instead of the
/// store's.
boost::system::result<std::vector<queue_status>> read_queues(
    const store::store& db, const registry& processes,
    const std::map<std::string, std::uint64_t>* parked_in_cluster = nullptr);

}  // namespace ferry::engine
