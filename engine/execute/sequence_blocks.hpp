#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ferry/engine/run/run_host.hpp"

namespace ferry::engine {

/// Hands out the values of named sequences from blocks reserved where they are kept (the
/// store, the serving process, the cluster), so that most values take no write or round trip.
/// The blocks are shared by every executor thread of the process: one process hands out a
/// sequence in order. Values of a block left when the process stops are skipped.
///
/// Concurrency: thread-safe; a reservation is made under the lock.
class sequence_blocks {
public:
    /// Reserves `count` values of a sequence and returns the first.
    using reserve_fn =
        std::function<boost::system::result<std::uint64_t>(std::string_view, std::uint64_t)>;

    explicit sequence_blocks(reserve_fn reserve, std::uint64_t block = 100)
        : reserve_(std::move(reserve)), block_(block) {}

    boost::system::result<std::uint64_t> next(std::string_view name) {
        std::lock_guard lock(mutex_);
        auto& b = blocks_[std::string(name)];
        if (b.next == b.end) {
            const auto first = reserve_(name, block_);
            if (!first) return first.error();
            b = {*first, *first + block_};
        }
        return b.next++;
    }

private:
    struct range {
        std::uint64_t next = 0;
        std::uint64_t end = 0;  // exclusive
    };
    reserve_fn reserve_;
    const std::uint64_t block_;
    std::mutex mutex_;
    std::unordered_map<std::string, range> blocks_;
};

/// The deployed processes of one claim, with sequential values from `blocks`.
class sequences_host final : public registry_host {
public:
    sequences_host(std::shared_ptr<const registry> processes, sequence_blocks& blocks)
        : registry_host(std::move(processes)), blocks_(blocks) {}
    boost::system::result<std::uint64_t> next_sequence(std::string_view name) override {
        return blocks_.next(name);
    }

private:
    sequence_blocks& blocks_;
};

}  // namespace ferry::engine
