#include "ferry/store/records.hpp"

#include <gtest/gtest.h>

#include "ferry/store/error.hpp"

namespace ferry::store {

execution_record sample_record() {
    execution_record rec;
    rec.id = "exec-1";
    rec.process = "createOrder";
    rec.process_version = 3;
    rec.state = execution_state::failed;
    rec.created_ms = 1700000000123;
    rec.started_ms = 1700000000200;
    rec.finished_ms = 1700000000300;
    rec.attempts = 2;
    rec.pending_seq = 42;
    rec.document_ids = {"exec-1-0", "exec-1-1"};
    rec.process_props = {{"inmethod", "POST"}, {"query_x", "1"}};
    rec.error = "step 'write': disk full";
    return rec;
}

// Every field of an execution survives encoding.
TEST(RecordsTest, ExecutionRoundTrips) {
    const auto rec = sample_record();
    const auto back = decode_execution(encode_execution(rec));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->id, rec.id);
    EXPECT_EQ(back->process, rec.process);
    EXPECT_EQ(back->process_version, 3u);
    EXPECT_EQ(back->state, execution_state::failed);
    EXPECT_EQ(back->created_ms, rec.created_ms);
    EXPECT_EQ(back->finished_ms, rec.finished_ms);
    EXPECT_EQ(back->attempts, 2u);
    EXPECT_EQ(back->pending_seq, 42u);
    EXPECT_EQ(back->document_ids, rec.document_ids);
    EXPECT_EQ(back->process_props, rec.process_props);
    EXPECT_EQ(back->error, rec.error);
}

// A truncated or extended value is reported as corrupt, never half-read.
TEST(RecordsTest, CorruptExecutionIsDetected) {
    auto bytes = encode_execution(sample_record());
    EXPECT_EQ(decode_execution(bytes.substr(0, bytes.size() - 3)).error(), errc::corrupt_record);
    EXPECT_EQ(decode_execution(bytes + "x").error(), errc::corrupt_record);
    EXPECT_EQ(decode_execution("").error(), errc::corrupt_record);
}

// Document bytes (including NULs) and properties survive encoding.
TEST(RecordsTest, DocumentRoundTrips) {
    document doc{std::string("binary\0data", 11), {{"inheader_Content-Type", "text/plain"}}};
    const auto back = decode_document(encode_document(doc));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->data, doc.data);
    EXPECT_EQ(back->props, doc.props);
}

}  // namespace ferry::store
