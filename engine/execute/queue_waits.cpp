#include "execute/queue_waits.hpp"

#include <algorithm>
#include <chrono>

#include "clock.hpp"
#include "ferry/engine/intake/submission.hpp"
#include "ferry/store/log.hpp"
#include "id_generator.hpp"

namespace ferry::engine {

void queue_waits::start() {
    if (thread_.running()) return;
    if (auto delayed = db_.list_delayed(); delayed) {
        add(*delayed);
    } else {
        log::error("queues", "cannot read delayed redeliveries; they wait for the next start",
                   {{"error", delayed.error().message()}});
    }
    release_parked();
    thread_.start("ferry-redeliver", [this](std::stop_token stop) { run(std::move(stop)); });
}

void queue_waits::stop() { thread_.stop(); }

void queue_waits::add(const std::vector<store::waiting_entry>& delayed) {
    if (delayed.empty()) return;
    {
        std::lock_guard lock(mutex_);
        for (const auto& entry : delayed) due_.emplace(entry.due_ms, entry.execution_id);
    }
    wake_.notify_all();
}

std::size_t queue_waits::delayed() const {
    std::lock_guard lock(mutex_);
    return due_.size();
}

void queue_waits::run(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
        if (due_.empty()) {
            wake_.wait(lock, stop, [this] { return !due_.empty(); });
            continue;
        }
        const auto now = now_ms();
        if (due_.begin()->first > now) {
            const auto first = due_.begin()->first;
            // Woken early by a stop request or an earlier due time.
            wake_.wait_for(lock, stop, std::chrono::milliseconds(first - now),
                           [this, first] { return !due_.empty() && due_.begin()->first < first; });
            continue;
        }
        std::vector<std::string> ids;
        while (!due_.empty() && due_.begin()->first <= now && ids.size() < 1000) {
            ids.push_back(std::move(due_.begin()->second));
            due_.erase(due_.begin());
        }
        lock.unlock();
        const auto queued = db_.queue_delayed(ids);
        lock.lock();
        if (!queued) {
            // They stay delayed in the store; try again in a second.
            log::error("queues", "cannot queue redeliveries",
                       {{"error", queued.error().message()}});
            for (auto& id : ids) due_.emplace(now + 1000, std::move(id));
            wake_.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
        } else if (*queued != 0) {
            lock.unlock();
            executors_.notify(*queued);
            lock.lock();
        }
    }
}

void queue_waits::release_parked() {
    std::lock_guard release(release_mutex_);
    auto parked = db_.list_parked();
    if (!parked) {
        log::error("queues", "cannot read parked messages", {{"error", parked.error().message()}});
        return;
    }
    const auto processes = processes_.get();
    std::vector<store::execution_record> assigned;
    std::vector<store::new_execution> copies;
    static thread_local id_generator ids;
    const auto flush = [&] {
        if (assigned.empty()) return;
        if (auto seq = db_.release_parked(assigned, copies); !seq) {
            log::error("queues", "cannot release parked messages",
                       {{"error", seq.error().message()}});
        } else {
            log::info("queues", "parked messages released to their listeners",
                      {{"messages", std::to_string(assigned.size())}});
            executors_.notify(*seq);
        }
        assigned.clear();
        copies.clear();
    };
    for (const auto& entry : *parked) {
        auto listeners = processes->queue_listeners(entry.queue);
        std::erase_if(listeners, [](const auto& l) { return l.paused; });
        if (listeners.empty()) continue;
        auto rec = db_.read_execution(entry.execution_id);
        if (!rec) {
            log::error("queues", "a parked message is unreadable",
                       {{"execution_id", entry.execution_id}, {"error", rec.error().message()}});
            continue;
        }
        if (!rec->process.empty()) {
            // A paused subscriber's copy of a published message: for that subscriber only.
            const auto it = std::find_if(listeners.begin(), listeners.end(), [&](const auto& l) {
                return l.process->name == rec->process;
            });
            if (it == listeners.end()) continue;
            rec->process_version = it->process->version;
            assigned.push_back(std::move(*rec));
            if (assigned.size() >= 500) flush();
            continue;
        }
        const bool publish = rec->process_props["queue_publish"] == "true";
        const auto first = publish ? 0 : turn_++ % listeners.size();
        if (publish && listeners.size() > 1) {
            std::vector<store::document> documents;
            for (const auto& id : rec->document_ids) {
                auto doc = db_.read_document(id);
                if (!doc) break;
                documents.push_back(std::move(*doc));
            }
            if (documents.size() != rec->document_ids.size()) {
                log::error("queues", "a parked message's documents are unreadable",
                           {{"execution_id", rec->id}});
                continue;
            }
            for (std::size_t i = 1; i < listeners.size(); ++i) {
                submission copy;
                copy.process = listeners[i].process->name;
                copy.process_version = listeners[i].process->version;
                copy.process_props = rec->process_props;
                copy.documents = documents;
                copies.push_back(new_execution_of(std::move(copy), ids.next(), now_ms()));
            }
        }
        rec->process = listeners[first].process->name;
        rec->process_version = listeners[first].process->version;
        assigned.push_back(std::move(*rec));
        if (assigned.size() >= 500) flush();
    }
    flush();
}

}  // namespace ferry::engine
