#include <set>

#include "run/run_state.hpp"

namespace ferry::engine {

// Paths in order; each gets its own copy of every document that has not failed on an earlier
// path of this branch.
boost::asio::awaitable<void> run_step(const branch_step& step, std::vector<working_document> in,
                                      step_run& call) {
    auto& run = call.run;
    const auto tags = run.tag(in);
    std::set<std::uint32_t> failed_tags;
    for (const auto& path : step.paths) run.watch(path);
    for (const auto& path : step.paths) {
        if (run.halted()) {
            run.finished(path);
            continue;
        }
        std::vector<working_document> copies;
        for (const auto& d : in) {
            if (!failed_tags.contains(d.lineage.back())) copies.push_back(d);
        }
        call.out += static_cast<std::uint32_t>(copies.size());
        const auto before = run.failure_count();
        co_await run.run_path(path, std::move(copies));
        run.collect_failed_tags(before, tags, failed_tags);
        run.finished(path);
    }
}

}  // namespace ferry::engine
