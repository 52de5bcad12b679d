// queue_send: the documents become one message for an internal queue's listeners (SPEC §3).
#include <set>
#include <stdexcept>

#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/model/registry.hpp"
#include "harness.hpp"

namespace ferry::engine::test_steps {

class QueueSendStep : public StepTest {
protected:
    /// Deploys `listeners` (process names) on queue `orders`, then runs `steps` over `payloads`.
    run_outcome send(const std::string& steps, std::vector<std::string> payloads,
                     const std::vector<std::string>& listeners, const std::string& paused = "") {
        auto r = std::make_shared<registry>();
        for (const auto& name : listeners) {
            const bool added = r->add(load_process_text(
                "name: " + name + "\nlisten: {queue: orders, input: multiple_json}\n", name));
            if (!added) throw std::runtime_error("listener " + name + " not added");
        }
        if (!paused.empty()) r->set_paused(paused, true);
        registry_ = r;
        queue_listeners_ = [r](std::string_view q) { return r->queue_listeners(q); };
        return run(steps, std::move(payloads));
    }
    std::shared_ptr<const registry> registry_;
};

// Point to point: each message goes to one listener, taking turns, and the documents pass on.
TEST_F(QueueSendStep, PointToPointTakesTurnsAndPassesDocumentsOn) {
    std::set<std::string> receivers;
    for (int i = 0; i < 2; ++i) {
        const auto out =
            send("- id: out\n  queue_send: {queue: orders}\n", {"1", "2"}, {"packA", "packB"});
        ASSERT_TRUE(out.ok) << out.error;
        EXPECT_EQ(data(out.outputs), (std::vector<std::string>{"1", "2"}));
        ASSERT_EQ(out.started.size(), 1u);  // one message with both documents
        const auto& m = out.started[0];
        EXPECT_EQ(m.documents.size(), 2u);
        EXPECT_EQ(m.process_props.at("queue"), "orders");
        EXPECT_EQ(m.process_props.at("queue_delivery"), "1");
        EXPECT_EQ(m.process_props.at("sent_by"), "ex1");
        EXPECT_TRUE(m.parked_on.empty());
        receivers.insert(m.process);
    }
    EXPECT_EQ(receivers, (std::set<std::string>{"packA", "packB"}));
}

// Publish: every listener gets its own copy.
TEST_F(QueueSendStep, PublishReachesEveryListener) {
    const auto out =
        send("- queue_send: {queue: orders, publish: true}\n", {"1"}, {"audit", "pack", "invoice"});
    ASSERT_TRUE(out.ok) << out.error;
    ASSERT_EQ(out.started.size(), 3u);
    std::set<std::string> receivers;
    for (const auto& m : out.started) {
        receivers.insert(m.process);
        EXPECT_EQ(m.process_props.at("queue_publish"), "true");
    }
    EXPECT_EQ(receivers, (std::set<std::string>{"audit", "pack", "invoice"}));
}

// Nobody listening (or only a paused listener): the message is parked for the queue, not lost.
TEST_F(QueueSendStep, WithoutAListenerTheMessageIsParked) {
    for (const auto& paused : {std::string(), std::string("pack")}) {
        const auto out = send(
            "- queue_send: {queue: orders}\n", {"1"},
            paused.empty() ? std::vector<std::string>{} : std::vector<std::string>{"pack"}, paused);
        ASSERT_TRUE(out.ok) << out.error;
        ASSERT_EQ(out.started.size(), 1u);
        EXPECT_EQ(out.started[0].parked_on, "orders");
        EXPECT_TRUE(out.started[0].process.empty());
    }
}

// A paused subscriber's copy of a published message waits for it (parked, addressed to it).
TEST_F(QueueSendStep, PausedSubscribersCopyWaitsForIt) {
    const auto out =
        send("- queue_send: {queue: orders, publish: true}\n", {"1"}, {"audit", "pack"}, "pack");
    ASSERT_TRUE(out.ok) << out.error;
    ASSERT_EQ(out.started.size(), 2u);
    EXPECT_EQ(out.started[0].process, "audit");
    EXPECT_TRUE(out.started[0].parked_on.empty());
    EXPECT_EQ(out.started[1].process, "pack");
    EXPECT_EQ(out.started[1].parked_on, "orders");
}

// A dry run (replay) sends nothing.
TEST_F(QueueSendStep, DryRunSendsNothing) {
    stub_connectors_ = true;
    const auto out = send("- queue_send: {queue: orders}\n", {"1"}, {"pack"});
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_TRUE(out.started.empty());
    EXPECT_EQ(data(out.outputs), (std::vector<std::string>{"1"}));
}

// Definitions: queue names are checked, a queue listener answers nobody and serves no
// operation.
TEST_F(QueueSendStep, DefinitionsAreChecked) {
    EXPECT_THROW(load_process_text("name: a\nlisten: {type: create, object: A, input: "
                                   "single_data, output: none}\nsteps:\n"
                                   "  - queue_send: {queue: 'bad name'}\n",
                                   "a.yaml"),
                 definition_error);
    EXPECT_THROW(
        load_process_text("name: a\nlisten: {queue: orders, output: single_json}\n", "a.yaml"),
        definition_error);
    EXPECT_THROW(load_process_text("name: a\nlisten: {queue: orders, type: create}\n", "a.yaml"),
                 definition_error);
    registry r;
    ASSERT_TRUE(r.add(load_process_text("name: a\nlisten: {queue: orders}\n", "a.yaml")));
    ASSERT_TRUE(r.add(load_process_text("name: b\nlisten: {queue: orders}\n", "b.yaml")));
    EXPECT_TRUE(r.operations().empty());
    EXPECT_EQ(r.queue_listeners("orders").size(), 2u);
    EXPECT_TRUE(r.queue_listeners("returns").empty());
}

}  // namespace ferry::engine::test_steps
