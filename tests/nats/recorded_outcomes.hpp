#pragma once

// The outcomes a cluster recorded (FERRY_RECORDS, "ferry.outcome.<id>"), as the cluster tests
// read them.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "cluster/cluster_messages.hpp"
#include "ferry/nats/connection.hpp"
#include "support/eventually.hpp"

namespace ferry::engine::cluster::test_support {

/// The outcomes recorded so far of `ids` (those without one are left out).
inline std::map<std::string, recorded_outcome> recorded_outcomes(
    nats::connection& nats, const std::vector<std::string>& ids) {
    std::map<std::string, recorded_outcome> out;
    for (const auto& id : ids) {
        auto raw = nats.last_message("FERRY_RECORDS", "ferry.outcome." + subject_token(id));
        if (!raw || !*raw) continue;
        if (auto decoded = decode_outcome((*raw)->data)) out.emplace(id, std::move(*decoded));
    }
    return out;
}

/// Waits (up to `limit`) until every one of `ids` has its outcome recorded; returns what was
/// recorded by then, decoded (fewer than `ids` when the wait ran out).
inline std::map<std::string, store::execution_record> wait_for_outcomes(
    nats::connection& nats, const std::vector<std::string>& ids, std::chrono::seconds limit) {
    std::map<std::string, store::execution_record> done;
    test::eventually(
        [&] {
            for (auto& [id, outcome] : recorded_outcomes(nats, ids)) {
                if (!done.contains(id)) {
                    done.emplace(id, store::decode_execution(outcome.record).value());
                }
            }
            return done.size() == ids.size();
        },
        limit);
    return done;
}

}  // namespace ferry::engine::cluster::test_support
