// Retention (store::delete_history_before): old executions and their documents go in ranged
// deletes; anything unfinished, and everything after it, stays.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "ferry/store/store.hpp"
#include "support/temp_dir.hpp"

namespace ferry::store {
namespace {

std::string id_at(std::int64_t ms, int n) {
    char id[32];
    std::snprintf(id, sizeof id, "%012llx%06x000001", static_cast<unsigned long long>(ms),
                  static_cast<unsigned>(n));
    return id;
}

new_execution at(std::int64_t ms, int n) {
    new_execution e;
    e.record.id = id_at(ms, n);
    e.record.process = "p";
    e.record.created_ms = ms;
    e.record.document_ids = {e.record.id + "-0"};
    e.documents = {{"doc", {}}};
    return e;
}

class RetentionTest : public ::testing::Test {
protected:
    test::temp_dir dir_;
    std::unique_ptr<store> db_ = store::open(dir_.str()).value();

    // Stores executions at `times` and finishes all but those at `unfinished`.
    void history(const std::vector<std::int64_t>& times, std::set<std::int64_t> unfinished = {}) {
        std::vector<new_execution> batch;
        for (std::size_t i = 0; i < times.size(); ++i)
            batch.push_back(at(times[i], static_cast<int>(i)));
        ASSERT_TRUE(db_->commit(batch));
        std::vector<execution_record> done;
        for (auto& e : batch) {
            if (unfinished.contains(e.record.created_ms)) continue;
            e.record.state = execution_state::succeeded;
            done.push_back(e.record);
        }
        // Step outputs are kept beside the request documents.
        std::vector<std::pair<std::string, document>> outputs;
        for (const auto& r : done) outputs.emplace_back(r.id + "-s0-0", document{"out", {}});
        ASSERT_TRUE(db_->finish_executions(done, outputs));
    }
    bool exists(std::int64_t ms, int n) {
        return db_->read_execution(id_at(ms, n)).has_value() &&
               db_->read_document(id_at(ms, n) + "-0").has_value();
    }
};

TEST_F(RetentionTest, DeletesWhatIsOlderThanTheCutoffWithItsDocuments) {
    history({1000, 2000, 3000, 4000});
    const auto kept_from = db_->delete_history_before(2500).value();
    EXPECT_EQ(kept_from, "0000000009c4");  // 2500 ms
    EXPECT_FALSE(db_->read_execution(id_at(1000, 0)).has_value());
    EXPECT_FALSE(db_->read_document(id_at(2000, 1) + "-0").has_value());
    EXPECT_FALSE(db_->read_document(id_at(2000, 1) + "-s0-0").has_value());
    EXPECT_TRUE(exists(3000, 2));
    EXPECT_TRUE(db_->read_document(id_at(3000, 2) + "-s0-0").has_value());
    EXPECT_TRUE(exists(4000, 3));
}

TEST_F(RetentionTest, AnUnfinishedExecutionKeepsItselfAndWhatFollows) {
    history({1000, 2000, 3000, 4000}, {2000});
    EXPECT_EQ(db_->delete_history_before(5000).value(), id_at(2000, 1));
    EXPECT_FALSE(exists(1000, 0));
    EXPECT_TRUE(exists(2000, 1));  // still pending: acknowledged work is never deleted
    EXPECT_TRUE(exists(3000, 2));
    EXPECT_TRUE(exists(4000, 3));
    EXPECT_EQ(db_->delete_history_before(0).value(), "");  // 0: nothing to do
}

}  // namespace
}  // namespace ferry::store
