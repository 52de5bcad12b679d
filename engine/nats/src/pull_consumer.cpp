#include "ferry/nats/pull_consumer.hpp"

#include <nats/nats.h>

#include <cstring>
#include <utility>

#include "ferry/nats/error.hpp"

namespace ferry::nats {
namespace {

natsMsg* as_msg(void* p) { return static_cast<natsMsg*>(p); }

boost::system::result<void> status(natsStatus st) {
    if (st != NATS_OK) return make_error(st);
    return {};
}

/// A status message of the server about the fetch ("404 No Messages", "408 Request Timeout",
/// "409 ..."), not a stream message; heartbeats ("100") are skipped by the caller.
const char* status_of(natsMsg* msg) {
    if (natsMsg_GetDataLength(msg) != 0) return nullptr;
    const char* value = nullptr;
    if (natsMsgHeader_Get(msg, "Status", &value) != NATS_OK) return nullptr;
    return value;
}

}  // namespace

message::message(void* nats_msg, void* nats_connection, std::chrono::milliseconds ack_timeout)
    : msg_(nats_msg), nc_(nats_connection), ack_timeout_(ack_timeout) {
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, as_msg(msg_)) == NATS_OK) {
        stream_seq_ = meta->Sequence.Stream;
        deliveries_ = meta->NumDelivered;
        jsMsgMetaData_Destroy(meta);
    }
}

message::~message() { natsMsg_Destroy(as_msg(msg_)); }

message::message(message&& other) noexcept
    : msg_(std::exchange(other.msg_, nullptr)),
      nc_(other.nc_),
      ack_timeout_(other.ack_timeout_),
      stream_seq_(other.stream_seq_),
      deliveries_(other.deliveries_) {}

message& message::operator=(message&& other) noexcept {
    if (this != &other) {
        natsMsg_Destroy(as_msg(msg_));
        msg_ = std::exchange(other.msg_, nullptr);
        nc_ = other.nc_;
        ack_timeout_ = other.ack_timeout_;
        stream_seq_ = other.stream_seq_;
        deliveries_ = other.deliveries_;
    }
    return *this;
}

std::string_view message::subject() const { return natsMsg_GetSubject(as_msg(msg_)); }

std::string_view message::data() const {
    return {natsMsg_GetData(as_msg(msg_)),
            static_cast<std::size_t>(natsMsg_GetDataLength(as_msg(msg_)))};
}

std::optional<std::string_view> message::header(const char* name) const {
    const char* value = nullptr;
    if (natsMsgHeader_Get(as_msg(msg_), name, &value) != NATS_OK || value == nullptr) {
        return std::nullopt;
    }
    return std::string_view(value);
}

boost::system::result<void> message::reply(const char* body) {
    return status(natsConnection_PublishString(static_cast<natsConnection*>(nc_),
                                               natsMsg_GetReply(as_msg(msg_)), body));
}

boost::system::result<void> message::ack() {
    // Asked as a request: the server answers once the acknowledgement is applied.
    natsMsg* confirmed = nullptr;
    const natsStatus st =
        natsConnection_RequestString(&confirmed, static_cast<natsConnection*>(nc_),
                                     natsMsg_GetReply(as_msg(msg_)), "+ACK", ack_timeout_.count());
    natsMsg_Destroy(confirmed);
    return status(st);
}

boost::system::result<void> message::ack_unconfirmed() { return reply("+ACK"); }

boost::system::result<void> message::nak(std::chrono::milliseconds delay) {
    if (delay.count() <= 0) return reply("-NAK");
    const std::string body =
        "-NAK {\"delay\":" + std::to_string(std::chrono::nanoseconds(delay).count()) + "}";
    return reply(body.c_str());
}

boost::system::result<void> message::in_progress() { return reply("+WPI"); }

boost::system::result<void> message::term() { return reply("+TERM"); }

pull_consumer::pull_consumer(void* nats_connection, void* nats_subscription, std::string inbox,
                             std::string next_subject, std::chrono::milliseconds request_timeout)
    : nc_(nats_connection),
      sub_(nats_subscription),
      inbox_(std::move(inbox)),
      next_subject_(std::move(next_subject)),
      request_timeout_(request_timeout) {}

pull_consumer::~pull_consumer() {
    // The durable consumer stays on the server (another process binds to it); only this
    // inbox goes. What was delivered to it and not yet fetched is redelivered after the ack
    // wait.
    natsSubscription_Destroy(static_cast<natsSubscription*>(sub_));
}

boost::system::result<void> pull_consumer::ask(std::vector<message>& out, int batch,
                                               std::chrono::milliseconds wait) {
    auto* sub = static_cast<natsSubscription*>(sub_);
    // No wait: the server answers at once, with what it has and then "404 No Messages".
    const std::string request =
        "{\"batch\":" + std::to_string(batch) +
        (wait.count() > 0
             ? ",\"expires\":" + std::to_string(std::chrono::nanoseconds(wait).count()) + "}"
             : ",\"no_wait\":true}");
    natsStatus st = natsConnection_PublishRequestString(
        static_cast<natsConnection*>(nc_), next_subject_.c_str(), inbox_.c_str(), request.c_str());
    if (st != NATS_OK) return make_error(st);
    const auto want = out.size() + static_cast<std::size_t>(batch);
    const auto deadline = std::chrono::steady_clock::now() + wait + request_timeout_;
    while (out.size() < want) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        natsMsg* msg = nullptr;
        st = natsSubscription_NextMsg(&msg, sub, left.count());
        if (st == NATS_TIMEOUT) break;
        if (st != NATS_OK) return make_error(st);
        if (!keep(out, msg)) break;  // the request ended (no more messages, expired, ...)
    }
    return {};
}

bool pull_consumer::keep(std::vector<message>& out, void* nats_msg) {
    auto* msg = static_cast<natsMsg*>(nats_msg);
    const char* st = status_of(msg);
    if (st == nullptr) {
        out.emplace_back(msg, nc_, request_timeout_);
        return true;
    }
    const bool heartbeat = std::strncmp(st, "100", 3) == 0;  // the request goes on
    natsMsg_Destroy(msg);                                    // `st` points into it
    return heartbeat;
}

boost::system::result<std::vector<message>> pull_consumer::fetch(int max,
                                                                 std::chrono::milliseconds wait) {
    auto* sub = static_cast<natsSubscription*>(sub_);
    std::vector<message> out;
    // Left over from an earlier request (its messages came after it gave up): they are leased
    // to this process all the same. Its end-of-request statuses are dropped.
    for (natsMsg* msg = nullptr;
         static_cast<int>(out.size()) < max && natsSubscription_NextMsg(&msg, sub, 0) == NATS_OK;
         msg = nullptr) {
        (void)keep(out, msg);
    }
    const auto asked = [&](int batch, std::chrono::milliseconds w) {
        auto done = ask(out, batch, w);
        // Messages already here are leased to this process: they are returned, the error not.
        return done || !out.empty() ? boost::system::result<void>() : done;
    };
    if (static_cast<int>(out.size()) < max) {
        if (auto done = asked(max - static_cast<int>(out.size()), std::chrono::milliseconds(0));
            !done) {
            return done.error();
        }
    }
    if (out.empty() && wait.count() > 0) {
        // Nothing now: wait for one (a request for more would wait until all of them came),
        // then take what else is there.
        if (auto done = asked(1, wait); !done) return done.error();
        if (!out.empty() && max > 1) (void)asked(max - 1, std::chrono::milliseconds(0));
    }
    return out;
}

}  // namespace ferry::nats
