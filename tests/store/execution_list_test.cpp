// The execution history as listed by store::list_executions: newest first, filters, cursor
// paging and a bounded scan.
#include <gtest/gtest.h>

#include <cstdio>

#include "ferry/store/store.hpp"
#include "support/temp_dir.hpp"

namespace ferry::store {
namespace {

// An id as the intake makes them: 12 hex digits of milliseconds, then counter and node.
std::string id_at(std::int64_t ms, int counter) {
    char id[32];
    std::snprintf(id, sizeof id, "%012llx%06x%06x", static_cast<unsigned long long>(ms), counter,
                  0xabc);
    return id;
}

class ExecutionListTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = store::open(dir_.str()).value();
        // 30 executions, one a second from t0: processes a/b alternate, every third failed.
        std::vector<new_execution> batch;
        for (int i = 0; i < 30; ++i) {
            new_execution e;
            e.record.id = id_at(t0 + i * 1000, i);
            e.record.created_ms = t0 + i * 1000;
            e.record.process = i % 2 == 0 ? "a" : "b";
            batch.push_back(std::move(e));
        }
        ASSERT_TRUE(db_->commit(batch));
        std::vector<execution_record> finished;
        for (int i = 0; i < 30; i += 3) {
            auto r = batch[i].record;
            r.state = execution_state::failed;
            r.error = i == 9 ? "step map1: connection refused" : "step s: bad input";
            finished.push_back(r);
        }
        ASSERT_TRUE(db_->finish_executions(finished));
    }

    static constexpr std::int64_t t0 = 1'790'000'000'000;
    test::temp_dir dir_;
    std::unique_ptr<store> db_;
};

TEST_F(ExecutionListTest, NewestFirstInCursorPages) {
    std::vector<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
        const auto page = db_->list_executions({}, cursor, 7).value();
        for (const auto& r : page.executions) seen.push_back(r.id);
        cursor = page.next_cursor;
        ++pages;
    } while (!cursor.empty());
    ASSERT_EQ(seen.size(), 30u);
    EXPECT_EQ(pages, 5);
    for (int i = 0; i < 30; ++i) EXPECT_EQ(seen[i], id_at(t0 + (29 - i) * 1000, 29 - i));
}

TEST_F(ExecutionListTest, FiltersCombine) {
    execution_filter failed_a;
    failed_a.process = "a";
    failed_a.state = execution_state::failed;
    const auto page = db_->list_executions(failed_a, "", 100).value();
    ASSERT_EQ(page.executions.size(), 5u);  // i = 0, 6, 12, 18, 24
    EXPECT_EQ(page.executions.front().id, id_at(t0 + 24'000, 24));
    EXPECT_TRUE(page.next_cursor.empty());

    execution_filter text;
    text.error_contains = "connection refused";
    const auto refused = db_->list_executions(text, "", 100).value();
    ASSERT_EQ(refused.executions.size(), 1u);
    EXPECT_EQ(refused.executions[0].id, id_at(t0 + 9000, 9));
}

TEST_F(ExecutionListTest, TimeRangeSeeksInsteadOfScanning) {
    execution_filter range;
    range.from_ms = t0 + 10'000;
    range.to_ms = t0 + 15'000;  // exclusive
    const auto page = db_->list_executions(range, "", 100).value();
    ASSERT_EQ(page.executions.size(), 5u);
    EXPECT_EQ(page.executions.front().id, id_at(t0 + 14'000, 14));
    EXPECT_EQ(page.executions.back().id, id_at(t0 + 10'000, 10));
    EXPECT_EQ(page.scanned, 5u) << "only the range is read";
    EXPECT_TRUE(page.next_cursor.empty());
}

TEST_F(ExecutionListTest, ScanLimitReturnsAShortPageWithACursor) {
    execution_filter text;
    text.error_contains = "connection refused";  // only i = 9
    const auto first = db_->list_executions(text, "", 100, {}, 10).value();
    EXPECT_TRUE(first.executions.empty());
    EXPECT_EQ(first.scanned, 10u);
    ASSERT_FALSE(first.next_cursor.empty());
    const auto second = db_->list_executions(text, first.next_cursor, 100, {}, 10).value();
    EXPECT_TRUE(second.executions.empty());  // 19..10
    const auto third = db_->list_executions(text, second.next_cursor, 100, {}, 10).value();
    ASSERT_EQ(third.executions.size(), 1u);
    EXPECT_EQ(third.executions[0].id, id_at(t0 + 9000, 9));
    EXPECT_TRUE(third.next_cursor.empty());
}

TEST_F(ExecutionListTest, AdjustSeesRecordsBeforeTheFilter) {
    execution_filter running;
    running.state = execution_state::running;
    const auto mark = [](execution_record& r) {
        if (r.id == id_at(t0 + 1000, 1)) r.state = execution_state::running;
    };
    const auto page = db_->list_executions(running, "", 100, mark).value();
    ASSERT_EQ(page.executions.size(), 1u);
    EXPECT_EQ(page.executions[0].id, id_at(t0 + 1000, 1));
}

}  // namespace
}  // namespace ferry::store
