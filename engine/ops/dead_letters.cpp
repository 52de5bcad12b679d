#include "ferry/engine/ops/dead_letters.hpp"

#include <algorithm>
#include <map>

#include "ferry/engine/ops/replay.hpp"
#include "ferry/store/error.hpp"

namespace ferry::engine {
namespace {

dead_letter_view with_execution(const store::store& db, store::dead_letter letter) {
    dead_letter_view view{std::move(letter), std::nullopt, {}};
    if (auto rec = db.read_execution(view.letter.execution_id); rec) {
        view.execution = std::move(*rec);
    }
    return view;
}

}  // namespace

boost::system::result<dead_letter_page> read_dead_letters(const store::store& db,
                                                          std::string_view queue,
                                                          std::string_view cursor,
                                                          std::size_t limit) {
    // One more than asked says whether there is a next page.
    auto letters = db.list_dead_letters(queue, cursor, limit + 1);
    if (!letters) return letters.error();
    dead_letter_page page;
    if (letters->size() > limit) {
        letters->resize(limit);
        page.next_cursor = letters->back().execution_id;
    }
    for (auto& letter : *letters) page.letters.push_back(with_execution(db, std::move(letter)));
    return page;
}

boost::system::result<dead_letter_view> read_dead_letter(const store::store& db,
                                                         std::string_view id) {
    auto letter = db.read_dead_letter(id);
    if (!letter) return letter.error();
    auto view = with_execution(db, std::move(*letter));
    if (!view.execution) return view;
    const auto* at = &*view.execution;
    for (std::size_t i = 0; i < 100; ++i) {  // a chain is as long as the redelivery schedule
        const auto before = at->process_props.find("redelivery_of");
        if (before == at->process_props.end()) break;
        auto rec = db.read_execution(before->second);
        if (!rec) break;  // deleted by retention
        view.earlier_deliveries.push_back(std::move(*rec));
        at = &view.earlier_deliveries.back();
    }
    std::reverse(view.earlier_deliveries.begin(), view.earlier_deliveries.end());
    return view;
}

refused_or<submission> resend_submission(const store::store& db, const registry& processes,
                                         const std::string& id) {
    const auto letter = db.read_dead_letter(id);
    if (!letter) {
        if (letter.error() == store::errc::not_found) {
            return refusal{errc::unknown_dead_letter, "no dead letter has the id '" + id + "'"};
        }
        return refusal{errc::storage_error,
                       "the dead letter could not be read: " + letter.error().message()};
    }
    const auto record = db.read_execution(id);
    if (!record) {
        return refusal{errc::documents_missing, "the execution of dead letter '" + id +
                                                    "' is gone (retention); clear the dead letter"};
    }
    auto resent = replay_of_record(db, processes, *record);
    if (!resent) return resent;
    resent->process_props.erase("replay_of");
    resent->process_props["resent_from"] = id;
    return resent;
}

boost::system::result<std::vector<queue_status>> read_queues(
    const store::store& db, const registry& processes,
    const std::map<std::string, std::uint64_t>* parked_in_cluster) {
    std::map<std::string, queue_status> queues;
    const auto queue = [&](const std::string& name) -> queue_status& {
        auto& q = queues[name];
        q.name = name;
        return q;
    };
    for (const auto& [name, p] : processes.active()) {
        if (!p->listen.queue.empty()) {
            auto& q = queue(p->listen.queue);
            q.listeners.push_back(name);
            if (processes.paused(name)) q.paused.push_back(name);
        }
        const auto& sender = name;  // a structured binding: clang 14 cannot capture it
        visit_steps(p->steps, [&](const step& s) {
            if (const auto* send = std::get_if<queue_send_step>(&s.action)) {
                auto& senders = queue(send->queue).senders;
                if (senders.empty() || senders.back() != sender) senders.push_back(sender);
            }
        });
    }
    if (parked_in_cluster != nullptr) {
        for (const auto& [name, count] : *parked_in_cluster) queue(name).parked = count;
    } else {
        const auto parked = db.list_parked();
        if (!parked) return parked.error();
        for (const auto& entry : *parked) ++queue(entry.queue).parked;
    }
    std::string cursor;
    for (;;) {
        const auto letters = db.list_dead_letters({}, cursor, 10'000);
        if (!letters) return letters.error();
        for (const auto& letter : *letters) ++queue(letter.queue).dead_letters;
        if (letters->size() < 10'000) break;
        cursor = letters->back().execution_id;
    }
    std::vector<queue_status> out;
    out.reserve(queues.size());
    for (auto& [name, q] : queues) out.push_back(std::move(q));
    return out;
}

}  // namespace ferry::engine
