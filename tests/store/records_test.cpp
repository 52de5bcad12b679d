#include "ferry/store/records.hpp"

#include <gtest/gtest.h>

#include "ferry/store/error.hpp"
#include "ferry/store/newer_formats.hpp"

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

// A claim's rewrite of a stored record changes what a start changes and keeps the rest
// exactly, down to the trace and the caller waiting for the reply.
TEST(RecordsTest, RestartedExecutionKeepsWhatTheStartDoesNotChange) {
    auto rec = sample_record();
    rec.debug = true;
    rec.untraced_steps = 4;
    rec.trace.push_back({"map", "map", 1, 1, 0, 1700000000250, 17, "", {"exec-1-s0"}});
    rec.reply_to = "corr-7";
    const auto restarted = restart_execution(encode_execution(rec), 1700000009000, 1, 77);
    ASSERT_TRUE(restarted);
    EXPECT_EQ(restarted->id, "exec-1");
    EXPECT_EQ(restarted->attempts, 3u);
    EXPECT_EQ(restarted->document_ids, rec.document_ids);
    const auto back = decode_execution(restarted->bytes);
    ASSERT_TRUE(back);
    auto expected = rec;
    expected.state = execution_state::running;
    expected.started_ms = 1700000009000;
    expected.attempts = 3;
    expected.pending_seq = 77;
    expected.error.clear();
    EXPECT_EQ(encode_execution(*back), encode_execution(expected));
}

// An older stored form is rewritten in the current one; a damaged record is refused whole,
// wherever the damage is (a worker must never be sent what it cannot read).
TEST(RecordsTest, RestartReadsOlderFormsAndRefusesDamage) {
    auto rec = sample_record();
    auto current = encode_execution(rec);
    // Format 2 had no reply_to (here the empty string's single length byte at the end).
    auto v2 = current.substr(0, current.size() - 1);
    v2[0] = 2;
    const auto restarted = restart_execution(v2, 5, 1, 9);
    ASSERT_TRUE(restarted);
    const auto back = decode_execution(restarted->bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->attempts, 3u);
    EXPECT_EQ(back->process_props, rec.process_props);
    EXPECT_EQ(back->state, execution_state::running);

    EXPECT_EQ(restart_execution(current.substr(0, current.size() - 1), 5, 1, 9).error(),
              errc::corrupt_record);
    EXPECT_EQ(restart_execution(current + "x", 5, 1, 9).error(), errc::corrupt_record);
    EXPECT_EQ(restart_execution("", 5, 1, 9).error(), errc::corrupt_record);
}

// A finished record passed on in its stored form (a worker's result) is checked whole and read
// only for its head; anything not in the current format, cut short or extended is refused.
TEST(RecordsTest, CheckedExecutionHeadsAndDocuments) {
    auto rec = sample_record();
    rec.state = execution_state::succeeded;
    rec.finished_ms = 1700000000123;
    const auto current = encode_execution(rec);
    const auto head = check_execution(current);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->id, rec.id);
    EXPECT_EQ(head->state, execution_state::succeeded);
    EXPECT_EQ(head->finished_ms, rec.finished_ms);
    EXPECT_EQ(head->pending_seq, rec.pending_seq);

    auto v2 = current.substr(0, current.size() - 1);
    v2[0] = 2;
    EXPECT_TRUE(decode_execution(v2));
    EXPECT_EQ(check_execution(v2).error(), errc::corrupt_record);
    for (std::size_t cut = 0; cut < current.size(); ++cut) {
        EXPECT_FALSE(check_execution(current.substr(0, cut))) << cut;
    }
    EXPECT_EQ(check_execution(current + "x").error(), errc::corrupt_record);

    const auto doc = encode_document({"data", {{"a", "1"}, {"b", "2"}}});
    EXPECT_TRUE(check_document(doc));
    EXPECT_FALSE(check_document(doc.substr(0, 4)));
    EXPECT_FALSE(check_document(""));
    EXPECT_FALSE(check_document("\x7f" + doc.substr(1)));
}

// The next few formats are a newer ferry's (a cluster mid-upgrade); the current ones, older
// ones and bytes far past them are not.
TEST(RecordsTest, NewerFormatsAreToldFromDamage) {
    execution_record rec;
    rec.id = "e1";
    const auto current = encode_execution(rec);
    EXPECT_FALSE(newer_execution_format(current));
    auto next = current;
    next[0] = static_cast<char>(next[0] + 1);
    EXPECT_TRUE(newer_execution_format(next));
    next[0] = 2;
    EXPECT_FALSE(newer_execution_format(next));  // an older format, still read
    next[0] = 'x';
    EXPECT_FALSE(newer_execution_format(next));  // text, not a format
    EXPECT_FALSE(newer_execution_format(""));

    const auto doc = encode_document({"data", {}});
    EXPECT_FALSE(newer_document_format(doc));
    EXPECT_TRUE(newer_document_format("\x02" + doc.substr(1)));
    EXPECT_FALSE(newer_document_format("\x7f" + doc.substr(1)));
    EXPECT_TRUE(is_newer_format(17, 1));
    EXPECT_FALSE(is_newer_format(18, 1));
    EXPECT_FALSE(is_newer_format(0, 1));
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
