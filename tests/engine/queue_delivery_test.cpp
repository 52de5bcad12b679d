// A failed delivery of a queue message is delivered again later, then dead-lettered
// (run_execution, SPEC §3).
#include <gtest/gtest.h>

#include "clock.hpp"
#include "execute/execution.hpp"
#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/run/run_blocking.hpp"

namespace ferry::engine {
namespace {

class QueueDelivery : public ::testing::Test {
protected:
    QueueDelivery() {
        const bool added = processes_->add(load_process_text(
            "name: ship\nversion: 3\nlisten: {queue: orders, input: single_data}\nsteps:\n"
            "  - decision:\n      left: current_data\n      op: '='\n"
            "      right: {static: good}\n      then: [{stop: {}}]\n"
            "      else: [{exception: {message: 'no stock'}}]\n",
            "ship.yaml"));
        if (!added) throw std::runtime_error("ship not added");
        host_ = std::make_unique<registry_host>(processes_);
        services_.host = host_.get();
        limits_.redelivery_ms = {100, 200};
    }

    // Delivery `delivery` of a message with `payload`, run once.
    store::execution_record deliver(const std::string& payload, int delivery,
                                    execution_output& out) {
        store::execution_record rec;
        rec.id = "01a20000000000000000000" + std::to_string(delivery);
        rec.process = "ship";
        rec.process_version = 2;  // an older version stored it; redeliveries take the active one
        rec.process_props = {{"queue", "orders"},
                             {"queue_delivery", std::to_string(delivery)},
                             {"sent_by", "sender1"}};
        rec.document_ids = {rec.id + "-0"};
        run_blocking(run_execution(rec, {{payload, {{"sku", "A1"}}}}, limits_, services_, out));
        return rec;
    }

    std::shared_ptr<registry> processes_ = std::make_shared<registry>();
    std::unique_ptr<registry_host> host_;
    execution_services services_;
    execution_limits limits_;
};

TEST_F(QueueDelivery, DefaultScheduleIsOneTwoThreeFiveEightTwentyFourSeconds) {
    EXPECT_EQ(default_redelivery_ms(),
              (std::vector<std::uint32_t>{1000, 2000, 3000, 5000, 8000, 24000}));
    EXPECT_EQ(execution_limits{}.redelivery_ms, default_redelivery_ms());
}

// A failed delivery leaves a redelivery, due after the schedule's delay, with the same
// documents, linked both ways, for the listener's active version.
TEST_F(QueueDelivery, FailedDeliveryIsDeliveredAgainLater) {
    execution_output out;
    const auto before = now_ms();
    const auto rec = deliver("bad", 2, out);
    EXPECT_EQ(rec.state, store::execution_state::failed);
    EXPECT_TRUE(out.dead.empty());
    ASSERT_EQ(out.started.size(), 1u);
    const auto& again = out.started[0];
    EXPECT_GE(again.not_before_ms, before + 200);  // the second delay
    EXPECT_LE(again.not_before_ms, now_ms() + 200);
    EXPECT_EQ(again.record.process, "ship");
    EXPECT_EQ(again.record.process_version, 3u);
    EXPECT_EQ(again.record.process_props.at("queue_delivery"), "3");
    EXPECT_EQ(again.record.process_props.at("redelivery_of"), rec.id);
    EXPECT_EQ(again.record.process_props.at("sent_by"), "sender1");
    EXPECT_EQ(rec.process_props.at("redelivered_as"), again.record.id);
    ASSERT_EQ(again.documents.size(), 1u);
    EXPECT_EQ(again.documents[0].data, "bad");
    EXPECT_EQ(again.documents[0].props.at("sku"), "A1");
}

// The delivery after the last delay is the last: its failure is a dead letter.
TEST_F(QueueDelivery, LastFailedDeliveryIsADeadLetter) {
    execution_output out;
    const auto rec = deliver("bad", 3, out);
    EXPECT_EQ(rec.state, store::execution_state::failed);
    EXPECT_TRUE(out.started.empty());
    ASSERT_EQ(out.dead.size(), 1u);
    EXPECT_EQ(out.dead[0].execution_id, rec.id);
    EXPECT_EQ(out.dead[0].queue, "orders");
    EXPECT_GT(out.dead[0].dead_ms, 0);
}

// Success, and failures of executions that are not queue deliveries, leave nothing behind.
TEST_F(QueueDelivery, OnlyFailedDeliveriesAreRedelivered) {
    execution_output ok;
    EXPECT_EQ(deliver("good", 1, ok).state, store::execution_state::succeeded);
    EXPECT_TRUE(ok.started.empty());
    EXPECT_TRUE(ok.dead.empty());

    execution_output out;
    store::execution_record rec;
    rec.id = "01a200000000000000000009";
    rec.process = "ship";
    run_blocking(run_execution(rec, {{"bad", {}}}, limits_, services_, out));
    EXPECT_EQ(rec.state, store::execution_state::failed);
    EXPECT_TRUE(out.started.empty());
    EXPECT_TRUE(out.dead.empty());
}

// A listener that is gone fails the delivery like any other failure: redelivered, then dead.
TEST_F(QueueDelivery, UndeployedListenerIsRedeliveredThenDead) {
    processes_->remove("ship");
    execution_output out;
    const auto rec = deliver("good", 1, out);
    EXPECT_EQ(rec.state, store::execution_state::failed);
    ASSERT_EQ(out.started.size(), 1u);
    EXPECT_EQ(out.started[0].not_before_ms - rec.finished_ms, 100);
}

}  // namespace
}  // namespace ferry::engine
