#include "ferry/engine/workers/remote_worker.hpp"

#include <pthread.h>

#include <cstdio>
#include <stdexcept>

#include "execute/execution.hpp"
#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/run/run_blocking.hpp"
#include "ferry/store/error.hpp"
#include "ferry/store/log.hpp"
#include "ferry/transport/blocking_client.hpp"
#include "id_generator.hpp"
#include "workers/worker_protocol.hpp"

namespace ferry::engine {
namespace proto = worker_protocol;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto poll_interval = std::chrono::milliseconds(200);
// An idle thread says again that it is ready now and then: a restarted server has forgotten.
constexpr auto ready_again = std::chrono::seconds(2);
constexpr auto answer_wait = std::chrono::seconds(10);  // for a sequence or the definitions
constexpr std::uint64_t values_per_block = 100;

transport::frames message(proto::kind what, const std::string& worker_id, std::uint64_t lease = 0) {
    proto::worker_header h;
    h.what = what;
    h.worker_id = worker_id;
    h.lease = lease;
    return {proto::encode_header(h)};
}

/// Waits for the server's answer of kind `what`, dropping anything else (there is nothing
/// else while a thread runs an execution: the server only answers what it is asked).
std::optional<proto::server_message> await_answer(transport::blocking_client& client,
                                                  proto::kind what, const std::stop_token& stop) {
    const auto give_up = steady::now() + answer_wait;
    while (!stop.stop_requested() && steady::now() < give_up) {
        auto in = client.receive(poll_interval);
        if (!in || in->empty()) continue;
        auto decoded = proto::decode_server_header((*in)[0]);
        if (decoded && decoded->what == what) return std::move(*decoded);
    }
    return std::nullopt;
}

// The definitions the serving process runs, with sequential values asked of it.
template <typename Ask>
class asked_sequences_host final : public registry_host {
public:
    asked_sequences_host(std::shared_ptr<const registry> processes, Ask& ask)
        : registry_host(std::move(processes)), ask_(ask) {}
    boost::system::result<std::uint64_t> next_sequence(std::string_view name) override {
        return ask_(name);
    }

private:
    Ask& ask_;
};

}  // namespace

remote_worker::remote_worker(transport::context& ctx, remote_worker_settings settings)
    : ctx_(ctx), settings_(std::move(settings)), id_(random_hex128().substr(0, 16)) {}

remote_worker::~remote_worker() { stop(); }

void remote_worker::start() {
    executors_.start(settings_.threads, "ferry-worker",
                     [this](std::size_t, const std::stop_token& stop) { executor_thread(stop); });
    heartbeat_.start("ferry-heartbeat",
                     [this](const std::stop_token& stop) { heartbeat_thread(stop); });
}

void remote_worker::stop() {
    heartbeat_.request_stop();
    executors_.stop();
    heartbeat_.stop();
}

std::shared_ptr<const remote_worker::deployed> remote_worker::current_deployed() const {
    std::lock_guard lock(deployed_mutex_);
    return deployed_;
}

void remote_worker::set_deployed(std::shared_ptr<const deployed> d) {
    std::lock_guard lock(deployed_mutex_);
    deployed_ = std::move(d);
}

void remote_worker::heartbeat_thread(const std::stop_token& stop) {
    transport::blocking_client client(ctx_, settings_.endpoint);
    while (!stop.stop_requested()) {
        (void)client.send(message(proto::kind::alive, id_));
        const auto until = steady::now() + settings_.heartbeat;
        while (!stop.stop_requested() && steady::now() < until) {
            (void)client.receive(std::chrono::milliseconds(50));  // nothing comes; a short nap
        }
    }
}

void remote_worker::executor_thread(const std::stop_token& stop) {
    transport::blocking_client client(ctx_, settings_.endpoint);
    // Blocks of values are shared by this process's threads, so that one worker hands out a
    // sequence in order; the thread that finds the block used up asks for the next.
    const auto next_sequence = [&](std::string_view name) -> boost::system::result<std::uint64_t> {
        std::lock_guard lock(sequences_mutex_);
        auto& b = sequences_[std::string(name)];
        if (b.next == b.end) {
            proto::worker_header h;
            h.what = proto::kind::sequence;
            h.worker_id = id_;
            h.sequence_name = std::string(name);
            h.count = values_per_block;
            transport::frames ask{proto::encode_header(h)};
            const auto answer = client.send(std::move(ask))
                                    ? await_answer(client, proto::kind::sequence_values, stop)
                                    : std::nullopt;
            if (!answer) {  // the serving process did not answer in time
                return boost::system::errc::make_error_code(boost::system::errc::timed_out);
            }
            if (answer->first_value == 0) return store::errc::io_failure;  // its store refused
            b = {answer->first_value, answer->first_value + values_per_block};
        }
        return b.next++;
    };
    // The definitions the serving process runs: fetched once per generation.
    // Asked again until they come: a slow answer must not fail the execution. Null only when
    // this worker stops first (then no result is sent and the lease goes back).
    const auto definitions_for =
        [&](const std::string& generation) -> std::shared_ptr<const deployed> {
        auto have = current_deployed();
        if (have && have->generation == generation) return have;
        std::optional<proto::server_message> answer;
        while (!answer && !stop.stop_requested()) {
            if (client.send(message(proto::kind::definitions, id_))) {
                answer = await_answer(client, proto::kind::deployed, stop);
            }
        }
        if (!answer) return nullptr;
        auto fresh = std::make_shared<deployed>();
        fresh->generation = generation;
        try {
            fresh->processes = load_process_set(answer->files);
            fresh->generation = answer->generation;
        } catch (const std::exception& e) {
            fresh->error = std::string("the deployed definitions do not load here: ") + e.what();
        }
        std::shared_ptr<const deployed> out = fresh;
        if (fresh->processes) set_deployed(out);
        return out;
    };

    (void)client.send(message(proto::kind::ready, id_));
    auto said_ready = steady::now();
    while (!stop.stop_requested()) {
        auto in = client.receive(poll_interval);
        if (!in || in->empty()) {
            if (steady::now() - said_ready > ready_again) {
                (void)client.send(message(proto::kind::ready, id_));
                said_ready = steady::now();
            }
            continue;
        }
        auto work = proto::decode_work(*in);
        if (!work) continue;  // a late answer to an earlier question: nothing to do

        auto& rec = work->record;
        auto limits = work->limits;
        limits.files_root = settings_.files_root;
        execution_output out;
        execution_services services;
        services.in_memory = work->in_memory;
        if (!rec.reply_to.empty()) {
            services.respond_now = [&](transport::frames reply, kept_answers pages) {
                auto early = message(proto::kind::early_reply, id_);
                early.push_back(proto::encode_early_reply(reply, pages));
                (void)client.send(std::move(early));
            };
        }
        const auto d = definitions_for(work->generation);
        if (!d) break;  // stopping
        if (!d->processes) {
            fail_execution(rec, d->error, services, out);
        } else {
            asked_sequences_host host(d->processes, next_sequence);
            services.host = &host;
            // One execution at a time here; pipelined leases come with the worker's own
            // executor loop.
            run_blocking(run_execution(rec, std::move(work->documents), limits, services, out));
        }
        auto result = message(proto::kind::result, id_, work->lease);
        result.push_back(proto::encode_result(rec, out));
        if (!client.send(std::move(result))) {
            log::warn("worker",
                      "an execution's result could not be sent; the serving process will "
                      "dispatch it again",
                      {{"execution_id", rec.id}});
        }
        executions_.fetch_add(1, std::memory_order_relaxed);
        said_ready = steady::now();
    }
}

}  // namespace ferry::engine
