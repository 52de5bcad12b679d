#include "ferry/engine/intake.hpp"

#include <pthread.h>

#include <chrono>
#include <cstdio>

#include "ferry/engine/submission.hpp"
#include "ferry/transport/batch_server.hpp"
#include "ferry/transport/error.hpp"
#include "id_generator.hpp"

namespace ferry::engine {

struct intake_socket {
    intake_socket(transport::context& ctx, const std::string& endpoint) : server(ctx, endpoint) {}
    transport::batch_server server;
};

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

intake_service::intake_service(transport::context& ctx, store::store& db, intake_settings settings,
                               std::function<void(std::uint64_t)> on_committed)
    : ctx_(ctx), db_(db), settings_(std::move(settings)), on_committed_(std::move(on_committed)) {}

intake_service::~intake_service() { stop(); }

void intake_service::start() {
    // Bind before returning so that clients connecting right after start() find the endpoint.
    socket_ = std::make_unique<intake_socket>(ctx_, settings_.endpoint);
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "ferry-intake");
        run();
    });
}

void intake_service::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    socket_.reset();
}

intake_stats intake_service::stats() const {
    return {batches_.load(), requests_.load(), largest_batch_.load(), failed_batches_.load()};
}

void intake_service::run() {
    id_generator ids;
    std::vector<transport::envelope> accepted;
    std::vector<store::new_execution> executions;
    while (!stopping_) {
        auto batch = socket_->server.receive_batch(settings_.max_batch,
                                                   std::chrono::milliseconds(50));
        if (!batch) {
            if (batch.error() == transport::errc::shutting_down) return;
            continue;  // logged by the transport; keep serving
        }
        if (batch->empty()) continue;

        accepted.clear();
        executions.clear();
        const auto now = now_ms();
        for (auto& request : *batch) {
            auto decoded = decode_submission(request.body);
            if (!decoded) {
                intake_reply refused{intake_status::bad_request, {}, "malformed submission"};
                (void)socket_->server.reply(request, encode_reply(refused));
                continue;
            }
            store::new_execution execution;
            auto& rec = execution.record;
            rec.id = ids.next();
            rec.process = std::move(decoded->process);
            rec.process_version = decoded->process_version;
            rec.created_ms = now;
            rec.process_props = std::move(decoded->process_props);
            rec.document_ids.reserve(decoded->documents.size());
            for (std::size_t i = 0; i < decoded->documents.size(); ++i) {
                rec.document_ids.push_back(document_id(rec.id, i));
            }
            execution.documents = std::move(decoded->documents);
            executions.push_back(std::move(execution));
            accepted.push_back(std::move(request));
        }
        if (executions.empty()) continue;

        const auto committed = db_.commit(executions);
        // Counters first: a submitter that got its receipt must see itself counted.
        if (committed) {
            batches_.fetch_add(1, std::memory_order_relaxed);
            requests_.fetch_add(accepted.size(), std::memory_order_relaxed);
            if (accepted.size() > largest_batch_.load(std::memory_order_relaxed)) {
                largest_batch_.store(accepted.size(), std::memory_order_relaxed);
            }
        } else {
            failed_batches_.fetch_add(1, std::memory_order_relaxed);
        }
        for (std::size_t i = 0; i < accepted.size(); ++i) {
            intake_reply reply;
            if (committed) {
                reply.accepted.execution_id = executions[i].record.id;
                reply.accepted.document_ids = executions[i].record.document_ids;
            } else {
                reply.status = intake_status::storage_failure;
                reply.message = committed.error().message();
            }
            (void)socket_->server.reply(accepted[i], encode_reply(reply));
        }
        if (!committed) continue;
        if (on_committed_) on_committed_(db_.last_seq());
    }
}

}  // namespace ferry::engine
