// What a replay runs (engine/replay.hpp): the stored documents and properties of the
// original, by the deployed version, linked by replay_of; or why it cannot.
#include "ferry/engine/ops/replay.hpp"

#include <gtest/gtest.h>

#include "ferry/engine/model/process_loader.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine {
namespace {

constexpr auto definition = R"(name: orders
version: 3
listen: {type: create, object: Order, input: multiple_json, output: none}
steps:
  - message: {template: "x"}
)";

store::new_execution stored(const std::string& id, std::vector<std::string> payloads,
                            std::size_t listed) {
    store::new_execution e;
    e.record.id = id;
    e.record.process = "orders";
    e.record.process_version = 1;
    e.record.process_props = {{"query_region", "EU"}};
    for (std::size_t i = 0; i < listed; ++i)
        e.record.document_ids.push_back(id + "-" + std::to_string(i));
    for (auto& p : payloads) e.documents.push_back({std::move(p), {{"k", "v"}}});
    return e;
}

class ReplayTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = store::store::open(dir_.str()).value();
        std::vector<store::new_execution> batch;
        batch.push_back(stored("e1", {"one", "two"}, 2));
        batch.push_back(stored("e2", {"only"}, 2));  // lists a document that was never stored
        ASSERT_TRUE(db_->commit(batch));
        registry_ = load_process_set({{"orders.yaml", definition}});
    }
    test::temp_dir dir_;
    std::unique_ptr<store::store> db_;
    std::shared_ptr<const registry> registry_;
};

TEST_F(ReplayTest, CopiesDocumentsAndPropertiesForTheDeployedVersion) {
    auto made = replay_submission(*db_, *registry_, "e1");
    ASSERT_TRUE(made.has_value()) << made.error().detail;
    const auto& s = *made;
    EXPECT_EQ(s.process, "orders");
    EXPECT_EQ(s.process_version, 3u);
    EXPECT_EQ(s.process_props.at("replay_of"), "e1");
    EXPECT_EQ(s.process_props.at("query_region"), "EU");
    ASSERT_EQ(s.documents.size(), 2u);
    EXPECT_EQ(s.documents[1].data, "two");
    EXPECT_EQ(s.documents[1].props.at("k"), "v");
}

TEST_F(ReplayTest, RefusalsSayWhy) {
    const auto code = [&](const registry& r, const std::string& id) {
        auto made = replay_submission(*db_, r, id);
        return made ? std::string("(replayed)") : std::string(made.error().name());
    };
    EXPECT_EQ(code(*registry_, "nope"), "unknown_execution");
    EXPECT_EQ(code(registry{}, "e1"), "process_not_deployed");
    EXPECT_EQ(code(*registry_, "e2"), "documents_missing");
}

}  // namespace
}  // namespace ferry::engine
