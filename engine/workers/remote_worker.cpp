#include "ferry/engine/workers/remote_worker.hpp"

#include <algorithm>
#include <stdexcept>

#include "execute/execution.hpp"
#include "execute/executor_host.hpp"
#include "execute/executor_loop.hpp"
#include "execute/sequence_blocks.hpp"
#include "ferry/engine/execute/executor.hpp"
#include "ferry/engine/model/process_loader.hpp"
#include "ferry/store/error.hpp"
#include "ferry/store/log.hpp"
#include "ferry/transport/blocking_client.hpp"
#include "id_generator.hpp"
#include "run/partner_connections.hpp"
#include "workers/leased_work.hpp"
#include "workers/worker_protocol.hpp"

namespace ferry::engine {
namespace proto = worker_protocol;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto poll_interval = std::chrono::milliseconds(200);
// An idle worker says again what it can take now and then: a restarted server has forgotten.
constexpr auto ready_again = std::chrono::seconds(2);
constexpr auto answer_wait = std::chrono::seconds(10);  // for a sequence or the definitions
constexpr std::uint64_t values_per_block = 100;
constexpr std::size_t messages_per_turn = 1000;
// Executions an executor loop takes at once: their outcomes go back as one message, which
// costs more than a local executor's write (measured: 128 drains a backlog faster than 64 or
// 256, and 64 faster than 16).
constexpr std::size_t claim_batch = 128;

transport::frames message(proto::kind what, const std::string& worker_id, std::uint64_t count = 0,
                          std::uint64_t received = 0) {
    proto::worker_header h;
    h.what = what;
    h.worker_id = worker_id;
    h.count = count;
    h.received = received;
    return {proto::encode_header(h)};
}

/// Waits for the server's answer of kind `what`, dropping anything else (a late answer to an
/// earlier question that timed out).
std::optional<proto::server_message> await_answer(transport::blocking_client& client,
                                                  proto::kind what,
                                                  const std::atomic<bool>& stopping) {
    const auto give_up = steady::now() + answer_wait;
    while (!stopping && steady::now() < give_up) {
        auto in = client.receive(poll_interval);
        if (!in || in->empty()) continue;
        auto decoded = proto::decode_server_header((*in)[0]);
        if (decoded && decoded->what == what) return std::move(*decoded);
    }
    return std::nullopt;
}

// Replies of a worker's executions go to the serving process at once, which sends them on:
// early ones with the pages they link to, the others as soon as they are computed. Replies
// that link to later pages travel with the results (sent once those are recorded).
class forwarded_replies final : public reply_sink {
public:
    forwarded_replies(leased_work& work, std::string worker_id)
        : work_(work), worker_id_(std::move(worker_id)) {}
    void send_early(transport::frames reply, kept_answers pages) override {
        auto early = message(proto::kind::early_reply, worker_id_);
        early.push_back(proto::encode_early_reply(reply, pages));
        work_.send(std::move(early));
    }
    void send_now(transport::frames reply) override { send_early(std::move(reply), {}); }
    // In the results already: the serving process sends it once it recorded them.
    void send_recorded(transport::frames) override {}

private:
    leased_work& work_;
    std::string worker_id_;
};

}  // namespace

/// The worker as its executor loops see it.
class remote_worker::loop_host final : public executor_host {
public:
    explicit loop_host(remote_worker& worker) : worker_(worker) {
        settings_.threads = worker.settings_.threads;
        settings_.max_in_flight = worker.settings_.max_in_flight;
        settings_.stop_grace = worker.settings_.stop_grace;
        settings_.claim_batch = claim_batch;
    }
    execution_backend& backend() override { return *worker_.work_; }
    const executor_settings& settings() const override { return settings_; }
    partner_limits& partners() override { return partners_; }
    std::shared_ptr<const lease_context> context_for(const execution_lease& lease) override {
        auto context = std::make_shared<lease_context>();
        const auto info = worker_.work_->info(lease.id);
        if (!info) {
            context->error = "the lease was lost";
            return context;
        }
        context->limits = info->limits;
        context->limits.files_root = worker_.settings_.files_root;
        const auto d = worker_.definitions_for(info->generation);
        if (!d) return nullptr;  // stopping: the serving process dispatches them again
        if (!d->processes) {
            context->error = d->error;
        } else {
            context->host = std::make_shared<sequences_host>(d->processes, *worker_.sequences_);
        }
        return context;
    }
    void count_finished(std::span<store::execution_record> finished) override {
        const auto succeeded = static_cast<std::uint64_t>(std::count_if(
            finished.begin(), finished.end(),
            [](const auto& r) { return r.state == store::execution_state::succeeded; }));
        worker_.succeeded_.fetch_add(succeeded, std::memory_order_relaxed);
        worker_.failed_.fetch_add(finished.size() - succeeded, std::memory_order_relaxed);
    }
    std::unique_ptr<reply_sink> open_replies() override {
        return std::make_unique<forwarded_replies>(*worker_.work_, worker_.id_);
    }

private:
    remote_worker& worker_;
    executor_settings settings_;
    partner_limits partners_;
};

remote_worker::remote_worker(transport::context& ctx, remote_worker_settings settings)
    : ctx_(ctx),
      settings_(std::move(settings)),
      id_(random_hex128().substr(0, 16)),
      // Blocks are shared by the loops, so that one worker hands out a sequence in order.
      sequences_(std::make_unique<sequence_blocks>(
          [this](std::string_view name, std::uint64_t count) {
              return reserve_sequence(name, count);
          },
          values_per_block)) {}

remote_worker::~remote_worker() { stop(); }

worker_report remote_worker::stats() const {
    worker_report out;
    out.id = id_;
    out.threads = loops_.size();
    auto& e = out.executors;
    e.succeeded = succeeded_.load(std::memory_order_relaxed);
    e.failed = failed_.load(std::memory_order_relaxed);
    if (!work_) return out;  // not started, or stopped
    const auto held = work_->count();
    out.prefetched = held.arrived;
    e.running = held.held;
    for (const auto& loop : loops_) loop->add_figures(e);
    e.partner_calls_in_flight = host_->partners().in_flight();
    return out;
}

void remote_worker::start() {
    stopping_ = false;
    const auto threads = std::max<std::size_t>(1, settings_.threads);
    work_ = std::make_unique<leased_work>(
        id_, leased_work::limits{std::max<std::size_t>(1, settings_.prefetch),
                                 std::max<std::size_t>(1, settings_.max_in_flight)});
    host_ = std::make_unique<loop_host>(*this);
    questions_ = std::make_unique<transport::blocking_client>(ctx_, settings_.endpoint);
    const auto per_loop =
        (std::max<std::size_t>(1, settings_.max_in_flight) + threads - 1) / threads;
    for (std::size_t slot = 0; slot < threads; ++slot) {
        loops_.push_back(
            std::make_unique<executor_loop>(*host_, static_cast<std::uint32_t>(slot), per_loop));
    }
    work_signal_ = work_->on_new_work([this] {
        for (auto& loop : loops_) loop->signal();
    });
    executors_.start(
        threads, "ferry-worker",
        [this](std::size_t slot, const std::stop_token& stop) { loops_[slot]->run(stop); });
    feed_.start("ferry-feed", [this](const std::stop_token& stop) { feed_thread(stop); });
    heartbeat_.start("ferry-heartbeat",
                     [this](const std::stop_token& stop) { heartbeat_thread(stop); });
}

void remote_worker::stop() {
    if (!work_) return;
    stopping_ = true;   // ends questions that wait
    work_->stop();      // nothing more is claimed or asked for
    executors_.stop();  // executions in flight end (for at most the stop grace)
    feed_.stop();       // after sending what they left
    heartbeat_.stop();
    work_->stop_signalling(work_signal_);
    loops_.clear();
    host_.reset();
    questions_.reset();
    work_.reset();
}

void remote_worker::heartbeat_thread(const std::stop_token& stop) {
    transport::blocking_client client(ctx_, settings_.endpoint);
    while (!stop.stop_requested()) {
        auto alive = message(proto::kind::alive, id_);
        alive.push_back(proto::encode_report(stats()));
        (void)client.send(std::move(alive));
        const auto until = steady::now() + settings_.heartbeat;
        while (!stop.stop_requested() && steady::now() < until) {
            (void)client.receive(std::chrono::milliseconds(50));  // nothing comes; a short nap
        }
    }
}

// Receives leased work, sends outcomes and early replies, and asks for more as room frees:
// `asked` is what the serving process may still send without being asked again.
void remote_worker::feed_thread(const std::stop_token& stop) {
    transport::blocking_client feed(ctx_, settings_.endpoint);
    std::size_t asked = work_->room();
    std::uint64_t received = 0;  // the number of the last work message
    (void)feed.send(message(proto::kind::ready_all, id_, asked, received));
    auto heard = steady::now();
    const auto send_outgoing = [&] {
        auto outgoing = work_->take_outgoing();
        for (std::size_t i = 0; i < outgoing.size(); ++i) {
            if (feed.try_send(outgoing[i])) continue;
            // The queue to the server is full: the rest goes first next time.
            outgoing.erase(outgoing.begin(), outgoing.begin() + static_cast<std::ptrdiff_t>(i));
            work_->put_back(std::move(outgoing));
            return false;
        }
        return true;
    };
    bool unsent = false;
    while (!stop.stop_requested()) {
        // What met a full queue is tried again soon, not at the next message or poll.
        auto in =
            feed.receive(unsent ? std::chrono::milliseconds(1) : poll_interval, work_->wake_fd());
        work_->woken();
        for (std::size_t n = 1; in; ++n) {
            // Counted even when unreadable: the serving process takes back what it held.
            if (const auto number = proto::work_number(*in)) {
                received = std::max(received, *number);
                heard = steady::now();
            }
            if (auto work = proto::decode_work(*in)) {
                asked -= std::min(asked, work->executions.size());
                work_->add(std::move(*work));
            } else {
                log::warn("worker",
                          "an unreadable work message was dropped; the serving "
                          "process dispatches its executions again");
            }
            if (n == messages_per_turn) break;  // outcomes go out between
            in = feed.receive(std::chrono::milliseconds(0));
        }
        unsent = !send_outgoing();
        if (const auto room = work_->room(); room > asked) {
            (void)feed.send(message(proto::kind::ready, id_, room - asked));
            asked = room;
        }
        if (work_->idle() && steady::now() - heard > ready_again) {
            // The serving process may have restarted and forgotten what it may send; and what
            // it sent up to `received` and has no outcome for is lost (it takes that back).
            asked = work_->room();
            (void)feed.send(message(proto::kind::ready_all, id_, asked, received));
            heard = steady::now();
        }
    }
    // The loops have stopped: what they finished goes out before the socket closes.
    const auto give_up = steady::now() + std::chrono::seconds(2);
    while (!send_outgoing() && steady::now() < give_up) {
        (void)feed.receive(std::chrono::milliseconds(10));
    }
}

std::shared_ptr<const remote_worker::deployed> remote_worker::definitions_for(
    const std::string& generation) {
    std::lock_guard lock(questions_mutex_);
    if (deployed_ && deployed_->generation == generation) return deployed_;
    // Asked again until they come: a slow answer must not fail the execution.
    std::optional<proto::server_message> answer;
    while (!answer && !stopping_) {
        if (questions_->send(message(proto::kind::definitions, id_))) {
            answer = await_answer(*questions_, proto::kind::deployed, stopping_);
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
    if (fresh->processes) deployed_ = fresh;
    return fresh;
}

boost::system::result<std::uint64_t> remote_worker::reserve_sequence(std::string_view name,
                                                                     std::uint64_t count) {
    std::lock_guard lock(questions_mutex_);
    proto::worker_header h;
    h.what = proto::kind::sequence;
    h.worker_id = id_;
    h.sequence_name = std::string(name);
    h.count = count;
    transport::frames ask{proto::encode_header(h)};
    const auto answer = questions_->send(std::move(ask))
                            ? await_answer(*questions_, proto::kind::sequence_values, stopping_)
                            : std::nullopt;
    if (!answer) {  // the serving process did not answer in time
        return boost::system::errc::make_error_code(boost::system::errc::timed_out);
    }
    if (answer->first_value == 0) return store::errc::io_failure;  // its store refused
    return answer->first_value;
}

}  // namespace ferry::engine
