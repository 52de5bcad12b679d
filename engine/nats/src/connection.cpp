#include "ferry/nats/connection.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <charconv>
#include <thread>

#include "ferry/nats/error.hpp"
#include "ferry/nats/key_value.hpp"
#include "ferry/nats/pull_consumer.hpp"
#include "ferry/nats/subscription.hpp"

namespace ferry::nats {
namespace {

using boost::system::result;
constexpr std::int64_t ns_per_ms = 1'000'000;

/// The C client's options, destroyed with the scope.
struct options_handle {
    natsOptions* opts = nullptr;
    ~options_handle() { natsOptions_Destroy(opts); }
};

natsStatus apply(natsOptions* opts, const connection_settings& s) {
    std::vector<const char*> urls;
    urls.reserve(s.urls.size());
    for (const auto& url : s.urls) urls.push_back(url.c_str());
    natsStatus st = natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size()));
    if (st == NATS_OK && !s.name.empty()) st = natsOptions_SetName(opts, s.name.c_str());
    if (st == NATS_OK) st = natsOptions_SetTimeout(opts, s.connect_timeout.count());
    // Reconnect for ever: a cluster node going away is routine, and callers see failures as
    // timeouts of what they asked meanwhile.
    if (st == NATS_OK) st = natsOptions_SetMaxReconnect(opts, -1);
    if (st == NATS_OK) st = natsOptions_SetReconnectWait(opts, 250);
    // A server that hangs (stopped, stalled, cut off without a reset) is left for another
    // within seconds: pinged every 2 s, given up after 2 unanswered pings (the client's
    // defaults, 2 minutes and 2, would hold every request for minutes).
    if (st == NATS_OK) st = natsOptions_SetPingInterval(opts, 2000);
    if (st == NATS_OK) st = natsOptions_SetMaxPingsOut(opts, 2);
    if (st == NATS_OK && !s.credentials_file.empty()) {
        st = natsOptions_SetUserCredentialsFromFiles(opts, s.credentials_file.c_str(), nullptr);
    }
    if (st == NATS_OK && !s.user.empty()) {
        st = natsOptions_SetUserInfo(opts, s.user.c_str(), s.password.c_str());
    }
    if (st == NATS_OK && !s.ca_file.empty()) {
        st = natsOptions_SetSecure(opts, true);
        if (st == NATS_OK) st = natsOptions_LoadCATrustedCertificates(opts, s.ca_file.c_str());
    }
    if (st == NATS_OK && !s.cert_file.empty()) {
        st = natsOptions_LoadCertificatesChain(opts, s.cert_file.c_str(), s.key_file.c_str());
    }
    return st;
}

stream_state state_of(const jsStreamInfo& si) {
    stream_state out;
    out.messages = si.State.Msgs;
    out.first_seq = si.State.FirstSeq;
    out.last_seq = si.State.LastSeq;
    if (si.Config != nullptr) out.replicas = static_cast<int>(si.Config->Replicas);
    if (si.Cluster != nullptr && si.Cluster->Leader != nullptr) out.leader = si.Cluster->Leader;
    return out;
}

/// Whether a JetStream API call may succeed when asked again soon: the cluster is starting or
/// electing a leader, a server went away mid-call, or another node created the stream meanwhile.
bool worth_retrying(natsStatus st, jsErrCode js) {
    return js == jetstream_code::cluster_not_available ||
           js == jetstream_code::stream_name_in_use || st == NATS_TIMEOUT ||
           st == NATS_NO_RESPONDERS || st == NATS_CONNECTION_DISCONNECTED;
}

}  // namespace

struct connection::handles {
    natsConnection* nc = nullptr;
    jsCtx* js = nullptr;
    std::chrono::milliseconds request_timeout{};

    ~handles() {
        jsCtx_Destroy(js);
        if (nc != nullptr) {
            natsConnection_Close(nc);
            natsConnection_Destroy(nc);
        }
    }
    jsOptions options() const {
        jsOptions o;
        jsOptions_Init(&o);
        o.Wait = request_timeout.count();
        return o;
    }
};

connection::connection(std::unique_ptr<handles> h) : h_(std::move(h)) {}
connection::~connection() = default;

result<std::unique_ptr<connection>> connection::open(const connection_settings& settings) {
    options_handle o;
    natsStatus st = natsOptions_Create(&o.opts);
    if (st == NATS_OK) st = apply(o.opts, settings);
    if (st != NATS_OK) return make_error(st);
    auto h = std::make_unique<handles>();
    h->request_timeout = settings.request_timeout;
    st = natsConnection_Connect(&h->nc, o.opts);
    if (st != NATS_OK) return make_error(st);
    auto js_options = h->options();
    st = natsConnection_JetStream(&h->js, h->nc, &js_options);
    if (st != NATS_OK) return make_error(st);
    return std::unique_ptr<connection>(new connection(std::move(h)));
}

bool connection::connected() const {
    return natsConnection_Status(h_->nc) == NATS_CONN_STATUS_CONNECTED;
}

result<stream_state> connection::stream(const std::string& name) {
    jsStreamInfo* si = nullptr;
    jsErrCode js = static_cast<jsErrCode>(0);
    auto o = h_->options();
    const natsStatus st = js_GetStreamInfo(&si, h_->js, name.c_str(), &o, &js);
    if (st != NATS_OK) return make_error(st, js);
    const auto out = state_of(*si);
    jsStreamInfo_Destroy(si);
    return out;
}

result<stream_state> connection::ensure_stream(const stream_settings& settings,
                                               std::chrono::milliseconds patience) {
    std::vector<const char*> subjects;
    subjects.reserve(settings.subjects.size());
    for (const auto& s : settings.subjects) subjects.push_back(s.c_str());
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = settings.name.c_str();
    cfg.Subjects = subjects.data();
    cfg.SubjectsLen = static_cast<int>(subjects.size());
    cfg.Storage = js_FileStorage;
    cfg.Replicas = settings.replicas;
    cfg.Duplicates = settings.duplicate_window.count() * ns_per_ms;
    if (settings.work_queue) cfg.Retention = js_WorkQueuePolicy;
    cfg.AllowDirect = settings.allow_direct;
    const auto give_up = std::chrono::steady_clock::now() + patience;
    for (;;) {
        auto existing = stream(settings.name);
        if (existing) return existing;
        natsStatus st = NATS_OK;
        jsErrCode js = static_cast<jsErrCode>(0);
        if (existing.error() == make_error(NATS_OK, jetstream_code::stream_not_found) ||
            existing.error() == make_error(NATS_NOT_FOUND)) {
            jsStreamInfo* si = nullptr;
            auto o = h_->options();
            st = js_AddStream(&si, h_->js, &cfg, &o, &js);
            if (st == NATS_OK) {
                const auto out = state_of(*si);
                jsStreamInfo_Destroy(si);
                return out;
            }
        } else {
            const auto& e = existing.error();
            st = e.category() == client_category() ? static_cast<natsStatus>(e.value()) : NATS_ERR;
            js = e.category() == jetstream_category() ? static_cast<jsErrCode>(e.value())
                                                      : static_cast<jsErrCode>(0);
        }
        if (!worth_retrying(st, js) || std::chrono::steady_clock::now() >= give_up) {
            return make_error(st, js);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

result<publish_ack> connection::publish(
    std::string_view subject, std::string_view data, const std::string& message_id,
    const std::vector<std::pair<std::string, std::string>>& headers) {
    const std::string subject_text(subject);
    natsMsg* msg = nullptr;
    natsStatus st = natsMsg_Create(&msg, subject_text.c_str(), nullptr, data.data(),
                                   static_cast<int>(data.size()));
    for (const auto& [name, value] : headers) {
        if (st == NATS_OK) st = natsMsgHeader_Set(msg, name.c_str(), value.c_str());
    }
    if (st != NATS_OK) {
        natsMsg_Destroy(msg);
        return make_error(st);
    }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = h_->request_timeout.count();
    if (!message_id.empty()) po.MsgId = message_id.c_str();
    jsPubAck* ack = nullptr;
    jsErrCode js = static_cast<jsErrCode>(0);
    st = js_PublishMsg(&ack, h_->js, msg, &po, &js);
    natsMsg_Destroy(msg);
    if (st != NATS_OK) return make_error(st, js);
    const publish_ack out{ack->Sequence, ack->Duplicate};
    jsPubAck_Destroy(ack);
    return out;
}

namespace {

/// The number after `"name":` in a JetStream answer (server-written JSON), if any.
std::optional<std::uint64_t> json_number(std::string_view json, std::string_view name) {
    const std::string key = "\"" + std::string(name) + "\":";
    const auto at = json.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    std::uint64_t value = 0;
    bool any = false;
    for (auto i = at + key.size(); i < json.size() && json[i] >= '0' && json[i] <= '9'; ++i) {
        value = value * 10 + static_cast<std::uint64_t>(json[i] - '0');
        any = true;
    }
    return any ? std::optional<std::uint64_t>(value) : std::nullopt;
}

/// A publish acknowledgement ({"stream":..,"seq":N[,"duplicate":true]}) or its error
/// ({"error":{"code":..,"err_code":N,...}}).
result<publish_ack> parse_ack(std::string_view json) {
    if (json.find("\"error\"") != std::string_view::npos) {
        const auto code = json_number(json, "err_code");
        return make_error(NATS_ERR, code ? static_cast<int>(*code) : 0);
    }
    const auto seq = json_number(json, "seq");
    if (!seq) return make_error(NATS_ERR);
    return publish_ack{*seq, json.find("\"duplicate\":true") != std::string_view::npos};
}

}  // namespace

result<std::vector<result<publish_ack>>> connection::publish_batch(
    const std::vector<outgoing_message>& messages) {
    std::vector<result<publish_ack>> out(messages.size(), make_error(NATS_TIMEOUT));
    if (messages.empty()) return out;
    // Each message is a request to the stream, answered on an inbox of this batch with its
    // acknowledgement: all sent first, then the answers collected.
    natsInbox* inbox = nullptr;
    natsStatus st = natsInbox_Create(&inbox);
    if (st != NATS_OK) return make_error(st);
    const std::string prefix = inbox;
    natsInbox_Destroy(inbox);
    natsSubscription* sub = nullptr;
    st = natsConnection_SubscribeSync(&sub, h_->nc, (prefix + ".*").c_str());
    if (st == NATS_OK) st = natsSubscription_SetPendingLimits(sub, -1, -1);
    if (st != NATS_OK) {
        natsSubscription_Destroy(sub);
        return make_error(st);
    }
    std::size_t sent = 0;
    for (std::size_t i = 0; i < messages.size() && st == NATS_OK; ++i) {
        const auto& m = messages[i];
        const std::string reply = prefix + "." + std::to_string(i);
        natsMsg* msg = nullptr;
        st = natsMsg_Create(&msg, m.subject.c_str(), reply.c_str(), m.data.data(),
                            static_cast<int>(m.data.size()));
        if (st == NATS_OK && !m.message_id.empty()) {
            st = natsMsgHeader_Set(msg, "Nats-Msg-Id", m.message_id.c_str());
        }
        for (const auto& [name, value] : m.headers) {
            if (st == NATS_OK) st = natsMsgHeader_Set(msg, name.c_str(), value.c_str());
        }
        if (st == NATS_OK) st = natsConnection_PublishMsg(h_->nc, msg);
        natsMsg_Destroy(msg);
        if (st == NATS_OK) ++sent;
    }
    if (sent == 0) {
        natsSubscription_Destroy(sub);
        return make_error(st);
    }
    const auto deadline = std::chrono::steady_clock::now() + h_->request_timeout;
    for (std::size_t answered = 0; answered < sent;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        natsMsg* msg = nullptr;
        if (natsSubscription_NextMsg(&msg, sub, left.count()) != NATS_OK) break;
        const std::string_view subject = natsMsg_GetSubject(msg);
        // The reply subject says which message this answers: "<prefix>.<index>".
        std::optional<std::size_t> index;
        if (subject.size() > prefix.size() + 1) {
            std::size_t i = 0;
            const auto digits = subject.substr(prefix.size() + 1);
            const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
            if (ec == std::errc() && end == digits.data() + digits.size()) index = i;
        }
        if (index && *index < sent && natsMsg_GetDataLength(msg) > 0) {
            out[*index] = parse_ack(
                {natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg))});
            ++answered;
        } else if (index && *index < sent) {
            out[*index] = make_error(NATS_NO_RESPONDERS);  // no stream takes the subject
            ++answered;
        }
        natsMsg_Destroy(msg);
    }
    natsSubscription_Destroy(sub);
    return out;
}

result<std::optional<stored_message>> connection::last_message(const std::string& stream,
                                                               const std::string& subject) {
    natsMsg* msg = nullptr;
    jsErrCode js = static_cast<jsErrCode>(0);
    auto o = h_->options();
    const natsStatus st = js_GetLastMsg(&msg, h_->js, stream.c_str(), subject.c_str(), &o, &js);
    if (st == NATS_NOT_FOUND || js == jetstream_code::no_message_found) {
        natsMsg_Destroy(msg);
        return std::optional<stored_message>();
    }
    if (st != NATS_OK) return make_error(st, js);
    stored_message out;
    out.data.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    out.seq = natsMsg_GetSequence(msg);
    natsMsg_Destroy(msg);
    return std::optional<stored_message>(std::move(out));
}

result<std::optional<stored_message>> connection::next_message(const std::string& stream,
                                                               const std::string& subject,
                                                               std::uint64_t from_seq) {
    natsMsg* msg = nullptr;
    auto o = h_->options();
    jsDirectGetMsgOptions get;
    jsDirectGetMsgOptions_Init(&get);
    get.Sequence = std::max<std::uint64_t>(from_seq, 1);
    get.NextBySubject = subject.c_str();
    const natsStatus st = js_DirectGetMsg(&msg, h_->js, stream.c_str(), &o, &get);
    if (st == NATS_NOT_FOUND) {
        natsMsg_Destroy(msg);
        return std::optional<stored_message>();
    }
    if (st != NATS_OK) return make_error(st);
    stored_message out;
    out.data.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    out.seq = natsMsg_GetSequence(msg);
    out.subject = natsMsg_GetSubject(msg);
    natsMsg_Destroy(msg);
    return std::optional<stored_message>(std::move(out));
}

result<void> connection::delete_message(const std::string& stream, std::uint64_t seq) {
    jsErrCode js = static_cast<jsErrCode>(0);
    auto o = h_->options();
    const natsStatus st = js_DeleteMsg(h_->js, stream.c_str(), seq, &o, &js);
    if (st == NATS_NOT_FOUND || js == jetstream_code::no_message_found) return {};
    if (st != NATS_OK) return make_error(st, js);
    return {};
}

result<std::vector<std::pair<std::string, std::uint64_t>>> connection::subject_counts(
    const std::string& stream, const std::string& filter) {
    jsStreamInfo* si = nullptr;
    jsErrCode js = static_cast<jsErrCode>(0);
    auto o = h_->options();
    o.Stream.Info.SubjectsFilter = filter.c_str();
    const natsStatus st = js_GetStreamInfo(&si, h_->js, stream.c_str(), &o, &js);
    if (st != NATS_OK) return make_error(st, js);
    std::vector<std::pair<std::string, std::uint64_t>> out;
    if (const auto* subjects = si->State.Subjects; subjects != nullptr) {
        for (int i = 0; i < subjects->Count; ++i) {
            out.emplace_back(subjects->List[i].Subject, subjects->List[i].Msgs);
        }
    }
    jsStreamInfo_Destroy(si);
    return out;
}

result<void> connection::publish_plain(const std::string& subject, std::string_view data) {
    const natsStatus st =
        natsConnection_Publish(h_->nc, subject.c_str(), data.data(), static_cast<int>(data.size()));
    if (st != NATS_OK) return make_error(st);
    return {};
}

result<void> connection::publish_hint(const std::string& subject) {
    const natsStatus st = natsConnection_Publish(h_->nc, subject.c_str(), nullptr, 0);
    if (st != NATS_OK) return make_error(st);
    return {};
}

namespace {
void on_plain_message(natsConnection* /*nc*/, natsSubscription* /*sub*/, natsMsg* msg,
                      void* closure) {
    const std::string_view data(natsMsg_GetData(msg),
                                static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    (*static_cast<std::function<void(std::string_view)>*>(closure))(data);
    natsMsg_Destroy(msg);
}
}  // namespace

result<std::unique_ptr<subscription>> connection::subscribe(
    const std::string& subject, std::function<void(std::string_view)> on_message) {
    auto out = std::make_unique<subscription>(
        std::make_unique<std::function<void(std::string_view)>>(std::move(on_message)));
    natsSubscription* sub = nullptr;
    const natsStatus st =
        natsConnection_Subscribe(&sub, h_->nc, subject.c_str(), on_plain_message, &out->callback());
    if (st != NATS_OK) return make_error(st);
    out->bind(sub);
    return out;
}

result<consumer_state> connection::consumer(const std::string& stream, const std::string& durable) {
    jsConsumerInfo* ci = nullptr;
    jsErrCode js = static_cast<jsErrCode>(0);
    auto o = h_->options();
    const natsStatus st = js_GetConsumerInfo(&ci, h_->js, stream.c_str(), durable.c_str(), &o, &js);
    if (st != NATS_OK) return make_error(st, js);
    consumer_state out{ci->NumPending, static_cast<std::uint64_t>(ci->NumAckPending),
                       static_cast<std::uint64_t>(ci->NumRedelivered)};
    if (ci->Config != nullptr) {
        out.ack_wait = std::chrono::milliseconds(ci->Config->AckWait / ns_per_ms);
    }
    jsConsumerInfo_Destroy(ci);
    return out;
}

result<std::unique_ptr<pull_consumer>> connection::pull(const consumer_settings& settings,
                                                        std::chrono::milliseconds patience) {
    // Binds to the durable consumer, creating it unless it exists.
    const auto ensure_consumer = [&](jsErrCode& js) {
        jsConsumerInfo* ci = nullptr;
        auto o = h_->options();
        natsStatus st = js_GetConsumerInfo(&ci, h_->js, settings.stream.c_str(),
                                           settings.durable.c_str(), &o, &js);
        if (st != NATS_OK && js == jetstream_code::consumer_not_found) {
            jsConsumerConfig cfg;
            jsConsumerConfig_Init(&cfg);
            cfg.Durable = settings.durable.c_str();
            cfg.AckPolicy = js_AckExplicit;
            cfg.AckWait = settings.ack_wait.count() * ns_per_ms;
            cfg.MaxDeliver = settings.max_deliver;
            cfg.FilterSubject = settings.subject.c_str();
            if (settings.max_ack_pending != 0) cfg.MaxAckPending = settings.max_ack_pending;
            js = static_cast<jsErrCode>(0);
            st = js_AddConsumer(&ci, h_->js, settings.stream.c_str(), &cfg, &o, &js);
        }
        jsConsumerInfo_Destroy(ci);
        return st;
    };
    const auto give_up = std::chrono::steady_clock::now() + patience;
    for (;;) {
        jsErrCode js = static_cast<jsErrCode>(0);
        const natsStatus st = ensure_consumer(js);
        if (st == NATS_OK) break;
        // A stream just created may still be electing its consumers' leaders.
        if (!worth_retrying(st, js) || std::chrono::steady_clock::now() >= give_up) {
            return make_error(st, js);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    natsInbox* inbox = nullptr;
    natsStatus st = natsInbox_Create(&inbox);
    if (st != NATS_OK) return make_error(st);
    const std::string inbox_subject = inbox;
    natsInbox_Destroy(inbox);
    natsSubscription* sub = nullptr;
    st = natsConnection_SubscribeSync(&sub, h_->nc, inbox_subject.c_str());
    // A fetch holds at most its batch: no limit of the client's drops what the server sent.
    if (st == NATS_OK) st = natsSubscription_SetPendingLimits(sub, -1, -1);
    if (st != NATS_OK) {
        natsSubscription_Destroy(sub);
        return make_error(st);
    }
    return std::make_unique<pull_consumer>(
        h_->nc, sub, inbox_subject,
        "$JS.API.CONSUMER.MSG.NEXT." + settings.stream + "." + settings.durable,
        h_->request_timeout);
}

result<std::unique_ptr<kv_bucket>> connection::bucket(const bucket_settings& settings,
                                                      std::chrono::milliseconds patience) {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    for (;;) {
        kvStore* kv = nullptr;
        natsStatus st = js_KeyValue(&kv, h_->js, settings.name.c_str());
        if (st == NATS_NOT_FOUND) {
            kvConfig cfg;
            kvConfig_Init(&cfg);
            cfg.Bucket = settings.name.c_str();
            cfg.History = 1;
            cfg.Replicas = settings.replicas;
            cfg.StorageType = js_FileStorage;
            cfg.TTL = settings.max_age.count() * ns_per_ms;
            st = js_CreateKeyValue(&kv, h_->js, &cfg);
        }
        if (st == NATS_OK) return std::make_unique<kv_bucket>(kv);
        kvStore_Destroy(kv);
        // The C client's KV calls give no JetStream code: a cluster still electing answers
        // them with timeouts or "no responders".
        if (!worth_retrying(st, static_cast<jsErrCode>(0)) ||
            std::chrono::steady_clock::now() >= give_up) {
            return make_error(st);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace ferry::nats
