// `ferry worker --cluster`: the real binary runs executions queued in a real nats-server's
// JetStream and records their outcomes there; kill -9 of a worker mid-execution loses nothing.
#include <gtest/gtest.h>

#include <set>

#include "cluster/jetstream_backend.hpp"
#include "nats/recorded_outcomes.hpp"
#include "support/eventually.hpp"
#include "support/nats_cluster.hpp"
#include "support/processes.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;

/// A general-mode process that numbers each document with a sequence and keeps the result.
std::string numbering_process() {
    return R"(name: number
listen: {type: create, object: Number, input: single_json, output: single_json}
steps:
  - message:
      template: "'{'\"invoice\": {1}, \"doc\": {2}'}'"
      variables: [{sequence: invoice}, current_data]
  - return: {}
)";
}

/// One nats-server, a processes directory, and the test's own connection and backend (the
/// side that queues executions, as an ingress node does).
class ClusterWorker : public ::testing::Test {
protected:
    ClusterWorker() : server_(1) {
        dir_.write("processes/number.yaml", numbering_process());
        dir_.write("processes/slow.yaml", test::slow_process(3000));
        nats::connection_settings s;
        s.urls = server_.urls();
        nats_ = nats::connection::open(s).value();
    }

    /// The streams and consumer, created by the first worker with its settings.
    jetstream_backend& backend() {
        if (!backend_) backend_ = jetstream_backend::open(*nats_, jetstream_settings{}).value();
        return *backend_;
    }

    std::vector<std::string> enqueue(const std::string& process, int count) {
        std::vector<store::new_execution> batch;
        std::vector<std::string> ids;
        for (int i = 0; i < count; ++i) {
            store::new_execution e;
            e.record.id = process + "-" + std::to_string(next_++);
            e.record.process = process;
            e.record.document_ids = {e.record.id + "-0"};
            e.documents = {{"{\"n\": " + std::to_string(i) + "}", {}}};
            ids.push_back(e.record.id);
            batch.push_back(std::move(e));
        }
        EXPECT_TRUE(backend().enqueue(batch));
        return ids;
    }

    std::unique_ptr<test::server_process> worker(const std::string& name,
                                                 std::vector<std::string> extra = {}) {
        return test::server_process::cluster_worker(server_.urls()[0],
                                                    (dir_.path() / "processes").string(),
                                                    (dir_.path() / name).string(), extra);
    }

    test::nats_cluster server_;
    test::temp_dir dir_;
    std::unique_ptr<nats::connection> nats_;
    std::unique_ptr<jetstream_backend> backend_;
    int next_ = 0;
};

// Two worker processes share the queued executions: every one is run once and recorded as
// succeeded with its step outputs, and a sequence shared by both never repeats a value.
TEST_F(ClusterWorker, WorkerProcessesRunQueuedExecutionsAndRecordTheirOutcomes) {
    auto first = worker("w1");
    auto second = worker("w2");
    const auto ids = enqueue("number", 200);
    ASSERT_TRUE(test::eventually(
        [&] { return test_support::recorded_outcomes(*nats_, ids).size() == ids.size(); }, 60s))
        << first->log() << second->log();
    const auto done = test_support::recorded_outcomes(*nats_, ids);
    std::set<std::string> invoices;
    for (const auto& [id, outcome] : done) {
        const auto rec = store::decode_execution(outcome.record).value();
        EXPECT_EQ(rec.state, store::execution_state::succeeded) << id << ": " << rec.error;
        EXPECT_EQ(rec.attempts, 1u) << id;
        ASSERT_FALSE(outcome.documents.empty()) << id;
        const auto out = store::decode_document(outcome.documents.back().second).value();
        const auto at = out.data.find("\"invoice\": ");
        ASSERT_NE(at, std::string::npos) << out.data;
        invoices.insert(out.data.substr(at, out.data.find(',', at) - at));
    }
    EXPECT_EQ(invoices.size(), ids.size()) << "a sequence value was handed out twice";
    EXPECT_EQ(first->stop(), 0);
    EXPECT_EQ(second->stop(), 0);
}

// A worker killed (-9) while its executions wait between attempts: after the lease timeout
// another worker runs them; each is recorded once, its lost attempt counted.
TEST_F(ClusterWorker, AWorkerKilledMidExecutionLosesNothing) {
    auto doomed = worker("w1", {"--lease-timeout-ms", "2000"});
    const auto ids = enqueue("slow", 20);
    ASSERT_TRUE(test::eventually(
        [&] {
            const auto state = nats_->consumer("FERRY_RUNS", "ferry-executors");
            return state && state->ack_pending == ids.size();
        },
        30s))
        << doomed->log();
    doomed->kill9();
    EXPECT_TRUE(test_support::recorded_outcomes(*nats_, ids).empty());
    auto rescuer = worker("w2");
    const auto done = test_support::wait_for_outcomes(*nats_, ids, 60s);
    ASSERT_EQ(done.size(), ids.size()) << rescuer->log();
    for (const auto& [id, rec] : done) {
        EXPECT_EQ(rec.state, store::execution_state::succeeded) << id << ": " << rec.error;
        EXPECT_EQ(rec.attempts, 2u) << id;
    }
    // Each outcome is recorded before its work is acknowledged: the stream empties after.
    EXPECT_TRUE(test::eventually([&] {
        const auto state = nats_->consumer("FERRY_RUNS", "ferry-executors");
        return state && state->pending + state->ack_pending == 0;
    }));
    EXPECT_EQ(rescuer->stop(), 0);
}

}  // namespace
}  // namespace ferry::engine::cluster
