#include "ferry/nats/pull_consumer.hpp"

#include <nats/nats.h>

#include <utility>

#include "ferry/nats/error.hpp"

namespace ferry::nats {
namespace {

natsMsg* as_msg(void* p) { return static_cast<natsMsg*>(p); }

boost::system::result<void> status(natsStatus st, jsErrCode js = static_cast<jsErrCode>(0)) {
    if (st != NATS_OK) return make_error(st, js);
    return {};
}

}  // namespace

message::message(void* nats_msg) : msg_(nats_msg) {
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
      stream_seq_(other.stream_seq_),
      deliveries_(other.deliveries_) {}

message& message::operator=(message&& other) noexcept {
    if (this != &other) {
        natsMsg_Destroy(as_msg(msg_));
        msg_ = std::exchange(other.msg_, nullptr);
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

boost::system::result<void> message::ack() {
    jsErrCode js = static_cast<jsErrCode>(0);
    const natsStatus st = natsMsg_AckSync(as_msg(msg_), nullptr, &js);
    return status(st, js);
}

boost::system::result<void> message::nak(std::chrono::milliseconds delay) {
    return status(natsMsg_NakWithDelay(as_msg(msg_), delay.count(), nullptr));
}

boost::system::result<void> message::in_progress() {
    return status(natsMsg_InProgress(as_msg(msg_), nullptr));
}

boost::system::result<void> message::term() { return status(natsMsg_Term(as_msg(msg_), nullptr)); }

pull_consumer::pull_consumer(void* nats_subscription) : sub_(nats_subscription) {}

pull_consumer::~pull_consumer() {
    // The durable consumer stays on the server (another process binds to it); only this
    // subscription goes.
    natsSubscription_Destroy(static_cast<natsSubscription*>(sub_));
}

boost::system::result<std::vector<message>> pull_consumer::fetch(int max,
                                                                 std::chrono::milliseconds wait) {
    natsMsgList list{nullptr, 0};
    jsErrCode js = static_cast<jsErrCode>(0);
    const natsStatus st =
        natsSubscription_Fetch(&list, static_cast<natsSubscription*>(sub_), max, wait.count(), &js);
    std::vector<message> out;
    if (st == NATS_TIMEOUT) return out;  // nothing came
    if (st != NATS_OK) return make_error(st, js);
    out.reserve(static_cast<std::size_t>(list.Count));
    for (int i = 0; i < list.Count; ++i) {
        out.emplace_back(list.Msgs[i]);
        list.Msgs[i] = nullptr;  // owned by `out` now
    }
    natsMsgList_Destroy(&list);
    return out;
}

}  // namespace ferry::nats
