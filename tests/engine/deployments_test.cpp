// Hot deployment (engine/deployments.hpp) over a real store: versions, refusals, undeploy,
// pause, and what a restart (restore over the same store) brings back.
#include "ferry/engine/ops/deployments.hpp"

#include <gtest/gtest.h>

#include <type_traits>

#include "ferry/engine/model/process_loader.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine {
namespace {

std::string orders(int version, const std::string& text = "x") {
    return "name: orders\nversion: " + std::to_string(version) +
           "\nlisten: {type: create, object: Order, input: single_json, output: none}\n"
           "steps:\n  - message: {template: \"" +
           text + "\"}\n";
}

constexpr auto archive = R"(name: archive
listen: {type: create, object: Archive, input: single_json, output: none}
steps:
  - message: {template: "a"}
)";

constexpr auto caller = R"(name: caller
listen: {type: execute, object: Caller, input: single_json, output: none}
steps:
  - process_call: {process: archive}
)";

template <class T>
T expect(const refused_or<T>& v) {
    if (!v) {
        ADD_FAILURE() << v.error().name() << ": " << v.error().detail;
        if constexpr (std::is_void_v<T>) {
            return;
        } else {
            return T{};
        }
    }
    return *v;
}

template <class T>
std::string refusal_code(const refused_or<T>& v) {
    return v ? std::string("(done)") : std::string(v.error().name());
}

class DeploymentsTest : public ::testing::Test {
protected:
    // A fresh server over the same store: a new registry and deployments, restored.
    void restart(std::shared_ptr<const registry> directory) {
        deploys_.reset();
        live_ = std::make_unique<registry_holder>(std::make_shared<registry>());
        control_ = std::make_unique<stored_control_entries>(*db_);
        deploys_ = std::make_unique<deployments>(*control_, *live_);
        warnings_ = deploys_->restore(std::move(directory));
    }
    void SetUp() override {
        db_ = store::store::open(dir_.str()).value();
        restart(load_process_set({{"orders.yaml", orders(1)}}));
    }
    std::shared_ptr<const registry> now() const { return live_->get(); }

    test::temp_dir dir_;
    std::unique_ptr<store::store> db_;
    std::unique_ptr<stored_control_entries> control_;
    std::unique_ptr<registry_holder> live_;
    std::unique_ptr<deployments> deploys_;
    std::vector<std::string> warnings_;
};

TEST_F(DeploymentsTest, ANewVersionServesAtOnceAndTheOldOneStaysKnown) {
    const auto before = now();
    const auto& done = expect(deploys_->deploy(orders(2, "two"), "orders-2.yaml", true));
    ASSERT_TRUE(done.deployed);
    EXPECT_TRUE(done.changed);
    EXPECT_TRUE(done.active);
    EXPECT_EQ(done.replaced, 1u);
    EXPECT_EQ(now()->by_operation("createOrder")->version, 2u);
    // What was running keeps its snapshot; stored executions of version 1 still run on it.
    EXPECT_EQ(before->by_operation("createOrder")->version, 1u);
    EXPECT_EQ(now()->for_execution("orders", 1)->version, 1u);
    EXPECT_EQ(now()->for_execution("orders", 7)->version, 2u);
}

TEST_F(DeploymentsTest, TheSameDefinitionAgainChangesNothingAndAChangeNeedsANewVersion) {
    EXPECT_FALSE(expect(deploys_->deploy(orders(1), "again.yaml", true)).changed);
    EXPECT_EQ(refusal_code(deploys_->deploy(orders(1, "changed"), "o.yaml", true)),
              "version_exists");
    EXPECT_EQ(refusal_code(deploys_->deploy("name: [", "bad.yaml", true)), "invalid_definition");
    auto other = orders(1);
    other.replace(other.find("orders"), 6, "rival");
    EXPECT_EQ(refusal_code(deploys_->deploy(other, "rival.yaml", true)), "operation_taken");
}

TEST_F(DeploymentsTest, AnInactiveVersionWaitsUntilActivated) {
    const auto& kept = expect(deploys_->deploy(orders(2), "o2.yaml", false));
    EXPECT_FALSE(kept.active);
    EXPECT_EQ(now()->by_name("orders")->version, 1u);
    EXPECT_EQ(now()->version("orders", 2)->version, 2u);
    EXPECT_EQ(expect(deploys_->activate("orders", 2)).replaced, 1u);
    EXPECT_EQ(now()->by_name("orders")->version, 2u);
    EXPECT_EQ(expect(deploys_->activate("orders", 1)).replaced, 2u);  // roll back
    EXPECT_EQ(refusal_code(deploys_->activate("orders", 9)), "unknown_version");
    EXPECT_EQ(refusal_code(deploys_->activate("nobody", 1)), "unknown_process");
}

TEST_F(DeploymentsTest, ARestartServesWhatWasDeployedUndeployedAndPaused) {
    expect(deploys_->deploy(orders(3), "o3.yaml", true));
    expect(deploys_->deploy(archive, "archive.yaml", true));
    expect(deploys_->pause("archive"));
    restart(load_process_set({{"orders.yaml", orders(1)}}));
    EXPECT_EQ(now()->by_name("orders")->version, 3u);
    EXPECT_EQ(now()->version("orders", 1)->version, 1u);  // the directory's, still known
    ASSERT_EQ(warnings_.size(), 1u);
    EXPECT_NE(warnings_[0].find("is not served"), std::string::npos) << warnings_[0];
    EXPECT_TRUE(now()->paused("archive"));

    expect(deploys_->resume("archive"));
    ASSERT_TRUE(deploys_->undeploy("orders").has_value());  // undeployed, not refused
    EXPECT_EQ(now()->by_operation("createOrder"), nullptr);
    restart(load_process_set({{"orders.yaml", orders(1)}}));
    EXPECT_EQ(now()->by_operation("createOrder"), nullptr);
    EXPECT_FALSE(now()->paused("archive"));
    EXPECT_EQ(now()->by_name("archive")->version, 1u);
    // Pending executions of the undeployed process still find their version.
    EXPECT_EQ(now()->for_execution("orders", 3)->version, 3u);
}

TEST_F(DeploymentsTest, ACalledProcessCannotBeUndeployed) {
    expect(deploys_->deploy(archive, "archive.yaml", true));
    expect(deploys_->deploy(caller, "caller.yaml", true));
    const auto r = deploys_->undeploy("archive");
    ASSERT_FALSE(r.has_value());  // refused
    EXPECT_EQ(r.error().name(), "in_use");
    EXPECT_EQ(deploys_->undeploy("nobody").error().name(), "unknown_process");
}

TEST_F(DeploymentsTest, ListenersShowStateAndPauseSurvivesRestart) {
    const auto& paused = expect(deploys_->pause("orders"));
    EXPECT_EQ(paused.state, "paused");
    EXPECT_EQ(paused.operation, "createOrder");
    EXPECT_EQ(refusal_code(deploys_->pause("nobody")), "unknown_listener");
    restart(load_process_set({{"orders.yaml", orders(1)}}));
    const auto list = deploys_->listeners();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].state, "paused");
    EXPECT_EQ(expect(deploys_->restart("orders")).state, "paused");  // restart keeps a pause
    EXPECT_EQ(expect(deploys_->resume("orders")).state, "listening");
}

TEST_F(DeploymentsTest, AStoredDefinitionThatNoLongerLoadsErrorsItsListener) {
    expect(deploys_->deploy(orders(2), "o2.yaml", true));
    // As if a newer ferry no longer accepted the stored text.
    const std::vector<store::store::control_change> broken = {
        {"process/orders/0000000002", "1\no2.yaml\nname: orders\nversion: 2\nlisten: 7\n"}};
    ASSERT_TRUE(db_->put_control(broken));
    restart(load_process_set({{"orders.yaml", orders(1)}}));
    const auto list = deploys_->listeners();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].state, "errored");
    EXPECT_FALSE(list[0].error.empty());
    EXPECT_EQ(now()->by_operation("createOrder"), nullptr);
    // Deploying a good version repairs it.
    expect(deploys_->deploy(orders(4), "o4.yaml", true));
    EXPECT_EQ(deploys_->listeners().at(0).state, "listening");
}

// Two processes sharing their control entries (cluster mode: nodes following one bucket): a
// change made by one is served by the other once it reloads, the same processes kept loaded.
TEST(DeploymentsShared, AReloadServesWhatAnotherProcessChanged) {
    memory_control_entries shared;
    const auto directory = load_process_set({{"orders.yaml", orders(1)}});
    registry_holder live_a(std::make_shared<registry>());
    registry_holder live_b(std::make_shared<registry>());
    deployments a(shared, live_a);
    deployments b(shared, live_b);
    a.restore(directory);
    b.restore(directory);

    expect(a.deploy(orders(2, "two"), "orders-2.yaml", true));
    EXPECT_EQ(live_b.get()->by_name("orders")->version, 1u);
    const auto warnings = b.reload();
    ASSERT_EQ(warnings.size(), 1u);  // the directory's version 1 is no longer the one served
    EXPECT_NE(warnings[0].find("is not served"), std::string::npos) << warnings[0];
    EXPECT_EQ(live_b.get()->by_name("orders")->version, 2u);
    EXPECT_NE(live_b.get()->version("orders", 1), nullptr);  // still known, for replays

    expect(a.pause("orders"));
    const auto before = live_b.get()->by_name("orders");
    b.reload();
    EXPECT_TRUE(live_b.get()->paused("orders"));
    EXPECT_EQ(live_b.get()->by_name("orders"), before);  // not loaded again
    const auto listeners = b.listeners();
    ASSERT_EQ(listeners.size(), 1u);
    EXPECT_EQ(listeners[0].state, "paused");

    expect(a.resume("orders"));
    expect(a.undeploy("orders"));
    b.reload();
    EXPECT_EQ(live_b.get()->by_name("orders"), nullptr);
    EXPECT_FALSE(live_b.get()->paused("orders"));
}

}  // namespace
}  // namespace ferry::engine
