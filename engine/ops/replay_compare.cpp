#include "ops/replay_compare.hpp"

#include "ferry/engine/execute/reply.hpp"

namespace ferry::engine {
namespace {

constexpr std::size_t most_differences = 5;

std::string counts(std::uint32_t in, std::uint32_t out, std::uint32_t failed) {
    return std::to_string(in) + " in, " + std::to_string(out) + " out, " + std::to_string(failed) +
           " failed";
}

void compare_trace(const store::store& db, const store::execution_record& original,
                   const run_outcome& dry, std::vector<std::string>& out) {
    const auto& then = original.trace;
    const auto& now = dry.trace;
    const auto common = std::min(then.size(), now.size());
    for (std::size_t i = 0; i < common && out.size() < most_differences; ++i) {
        const auto& a = then[i];
        const auto& b = now[i];
        const auto where = "step run " + std::to_string(i + 1) + " ('" + a.step + "')";
        if (a.step != b.step) {
            out.push_back(where + ": the replay ran '" + b.step + "' instead");
            return;  // the paths parted: later runs do not line up
        }
        if (a.documents_in != b.documents_in || a.documents_out != b.documents_out ||
            a.documents_failed != b.documents_failed) {
            out.push_back(where + ": " +
                          counts(a.documents_in, a.documents_out, a.documents_failed) + " -> " +
                          counts(b.documents_in, b.documents_out, b.documents_failed));
            continue;
        }
        // Outputs can be compared where the original stored them.
        for (std::size_t j = 0; j < a.output_ids.size() && j < b.outputs.size(); ++j) {
            const auto stored = db.read_document(a.output_ids[j]);
            if (stored && stored->data != b.outputs[j].data) {
                out.push_back(where + ": output document " + std::to_string(j) + " differs");
                break;
            }
        }
    }
    if (then.size() != now.size() && out.size() < most_differences) {
        out.push_back("the original ran " + std::to_string(then.size()) + " steps, the replay " +
                      std::to_string(now.size()));
    }
}

}  // namespace

std::vector<std::string> replay_differences(const store::store& db, const process& p,
                                            const store::execution_record& original,
                                            const run_outcome& dry) {
    using store::execution_state;
    std::vector<std::string> out;
    if (original.state != execution_state::succeeded && original.state != execution_state::failed) {
        out.emplace_back("the original has not finished, so there is nothing to compare with");
        return out;
    }
    const bool was_ok = original.state == execution_state::succeeded;
    const auto error = dry.ok ? std::string() : "step '" + dry.failed_step + "': " + dry.error;
    if (was_ok != dry.ok) {
        out.push_back(was_ok ? "succeeded -> failed (" + error + ")"
                             : "failed -> succeeded (was: " + original.error + ")");
    } else if (original.error != error) {
        out.push_back("error: '" + original.error + "' -> '" + error + "'");
    }
    compare_trace(db, original, dry, out);
    if (p.listen.output != data_type::none && out.size() < most_differences) {
        // The reply the caller got, while it is kept (--reply-ttl-seconds).
        if (const auto bytes = db.read_answer("reply/" + original.id)) {
            if (const auto kept = decode_kept_answer(*bytes)) {
                const auto now = assemble_reply(p, original.id, dry);
                if (kept->answer.status != now.status) {
                    out.push_back("reply status " + std::to_string(kept->answer.status) + " -> " +
                                  std::to_string(now.status));
                } else if (kept->answer.body != now.body) {
                    out.emplace_back("reply body differs");
                }
            }
        }
    }
    return out;
}

}  // namespace ferry::engine
