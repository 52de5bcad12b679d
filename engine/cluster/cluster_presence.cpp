#include "ferry/engine/cluster/cluster_presence.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <mutex>

#include "clock.hpp"
#include "cluster/cluster_control.hpp"
#include "ferry/nats/key_value.hpp"
#include "ferry/store/log.hpp"

namespace ferry::engine::cluster {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* bucket_name = "ferry-members";
constexpr auto forgotten_after = 60s;  // the bucket's max age
constexpr int missed_reports = 3;      // then a member is silent

std::string encode(const member_report& r) {
    const auto& e = r.executors.executors;
    json::object o;
    o["name"] = r.name;
    o["kind"] = r.kind;
    o["host"] = r.host;
    o["started_ms"] = r.started_ms;
    o["reported_ms"] = r.reported_ms;
    o["threads"] = r.executors.threads;
    o["in_flight"] = e.in_flight;
    o["waiting"] = e.waiting;
    o["succeeded"] = e.succeeded;
    o["failed"] = e.failed;
    o["outbox"] = r.outbox;
    o["outcomes_followed"] = r.outcomes_followed;
    return json::serialize(o);
}

std::optional<member_report> decode(std::string_view text) {
    boost::system::error_code ec;
    const auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto& o = value.as_object();
    const auto text_of = [&](const char* name) {
        const auto* v = o.if_contains(name);
        return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    const auto number_of = [&](const char* name) -> std::uint64_t {
        const auto* v = o.if_contains(name);
        if (v == nullptr) return 0;
        if (v->is_uint64()) return v->as_uint64();
        if (v->is_int64())
            return static_cast<std::uint64_t>(std::max<std::int64_t>(0, v->as_int64()));
        return 0;
    };
    member_report r;
    r.name = text_of("name");
    r.kind = text_of("kind");
    r.host = text_of("host");
    if (r.name.empty()) return std::nullopt;
    r.started_ms = static_cast<std::int64_t>(number_of("started_ms"));
    r.reported_ms = static_cast<std::int64_t>(number_of("reported_ms"));
    r.executors.threads = number_of("threads");
    r.executors.executors.in_flight = number_of("in_flight");
    r.executors.executors.waiting = number_of("waiting");
    r.executors.executors.succeeded = number_of("succeeded");
    r.executors.executors.failed = number_of("failed");
    r.outbox = number_of("outbox");
    r.outcomes_followed = number_of("outcomes_followed");
    return r;
}

}  // namespace

std::string host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    return name;
}

cluster_presence::cluster_presence(std::unique_ptr<nats::kv_bucket> bucket, report_source report)
    : bucket_(std::move(bucket)), report_(std::move(report)) {}

cluster_presence::~cluster_presence() { stop(); }

boost::system::result<std::unique_ptr<cluster_presence>> cluster_presence::open(
    nats::connection& nats, const jetstream_settings& settings, report_source report) {
    auto bucket = nats.bucket(
        {.name = bucket_name, .replicas = settings.replicas, .max_age = forgotten_after});
    if (!bucket) return bucket.error();
    return std::unique_ptr<cluster_presence>(
        new cluster_presence(std::move(*bucket), std::move(report)));
}

void cluster_presence::report_now() {
    auto r = report_();
    r.reported_ms = now_ms();
    key_ = bucket_key(r.kind + "/" + r.name);
    if (auto put = bucket_->put(key_, encode(r)); !put) {
        log::warn("cluster", "cannot report this member to the cluster",
                  {{"error", put.error().message()}});
    }
}

void cluster_presence::start() {
    reporter_.start("ferry-presence", [this](const std::stop_token& stop) {
        std::mutex mutex;
        std::condition_variable_any wakeup;
        while (!stop.stop_requested()) {
            report_now();
            std::unique_lock lock(mutex);
            wakeup.wait_for(lock, stop, report_every, [] { return false; });
        }
    });
}

void cluster_presence::stop() {
    if (!reporter_.running()) return;
    reporter_.stop();
    if (!key_.empty()) (void)bucket_->erase(key_);
}

boost::system::result<std::vector<member_view>> cluster_presence::members() const {
    auto entries = bucket_->entries();
    if (!entries) return entries.error();
    const auto now = now_ms();
    std::vector<member_view> out;
    for (const auto& entry : *entries) {
        auto report = decode(*entry.value);
        if (!report) continue;
        member_view v;
        v.heard_ms_ago = std::max<std::int64_t>(0, now - report->reported_ms);
        v.state = v.heard_ms_ago > missed_reports * report_every.count() ? "silent" : "up";
        v.report = std::move(*report);
        out.push_back(std::move(v));
    }
    std::sort(out.begin(), out.end(), [](const member_view& a, const member_view& b) {
        return std::tie(a.report.kind, a.report.name) < std::tie(b.report.kind, b.report.name);
    });
    return out;
}

}  // namespace ferry::engine::cluster
