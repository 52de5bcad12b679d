#include "workers/worker_protocol.hpp"

#include <gtest/gtest.h>

namespace ferry::engine {
namespace proto = worker_protocol;

TEST(WorkerProtocol, WorkCarriesTheExecutionItsDocumentsAndTheLimits) {
    proto::work w;
    w.lease = 42;
    w.generation = "00aa";
    w.in_memory = true;
    w.limits.kept.max_trace_entries = 7;
    w.limits.kept.max_kept_documents = 8;
    w.limits.kept.max_kept_bytes = 9;
    w.limits.page_ttl_ms = 10;
    w.limits.reply_ttl_ms = 11;
    w.limits.redelivery_ms = {12, 13};
    w.record.id = "e1";
    w.record.process = "quote";
    w.record.reply_to = "r";
    w.documents = {{"{}", {{"inheader_X", "1"}}}, {"[]", {}}};
    const auto back = proto::decode_work(proto::encode_work(w));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->lease, 42u);
    EXPECT_EQ(back->generation, "00aa");
    EXPECT_TRUE(back->in_memory);
    EXPECT_EQ(back->limits.kept.max_trace_entries, 7u);
    EXPECT_EQ(back->limits.reply_ttl_ms, 11);
    EXPECT_EQ(back->limits.redelivery_ms, (std::vector<std::uint32_t>{12, 13}));
    EXPECT_EQ(back->record.id, "e1");
    EXPECT_EQ(back->record.reply_to, "r");
    ASSERT_EQ(back->documents.size(), 2u);
    EXPECT_EQ(back->documents[0].props.at("inheader_X"), "1");
    auto truncated = proto::encode_work(w);
    truncated[0].pop_back();
    EXPECT_FALSE(proto::decode_work(truncated));
}

TEST(WorkerProtocol, ResultsCarryEverythingTheFinishWrites) {
    store::execution_record rec;
    rec.id = "e1";
    rec.state = store::execution_state::succeeded;
    rec.trace.push_back({"s1", "message", 1, 1, 0, 5, 6, "", {"e1-s0-0"}});
    execution_output out;
    out.kept.emplace_back("e1-s0-0", store::document{"kept", {}});
    store::new_execution started;
    started.record.id = "child";
    started.documents = {{"c", {}}};
    out.started.push_back(std::move(started));
    store::new_execution redelivery;
    redelivery.record.id = "again";
    redelivery.not_before_ms = 12345;
    out.started.push_back(std::move(redelivery));
    store::new_execution parked;
    parked.record.id = "parked";
    parked.parked_on = "orders";
    out.started.push_back(std::move(parked));
    out.dead.push_back({"dead1", "returns", 777});
    out.replies.push_back({"reply-to", "header", "body"});
    out.answers.emplace_back("reply/e1", "value");
    store::execution_record second;
    second.id = "e2";
    second.state = store::execution_state::failed;
    second.error = "step 'x': no";
    const std::vector<std::uint64_t> leases{7, 9};
    const std::vector<store::execution_record> records{rec, second};
    const auto bytes = proto::encode_results(leases, records, out);
    const auto back = proto::decode_results(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->leases, leases);
    ASSERT_EQ(back->records.size(), 2u);
    EXPECT_EQ(back->records[0].id, "e1");
    EXPECT_EQ(back->records[0].state, store::execution_state::succeeded);
    ASSERT_EQ(back->records[0].trace.size(), 1u);
    EXPECT_EQ(back->records[0].trace[0].output_ids[0], "e1-s0-0");
    EXPECT_EQ(back->records[1].id, "e2");
    EXPECT_EQ(back->records[1].error, "step 'x': no");
    ASSERT_EQ(back->output.kept.size(), 1u);
    EXPECT_EQ(back->output.kept[0].second.data, "kept");
    ASSERT_EQ(back->output.started.size(), 3u);
    EXPECT_EQ(back->output.started[0].record.id, "child");
    EXPECT_EQ(back->output.started[0].documents[0].data, "c");
    EXPECT_EQ(back->output.started[1].not_before_ms, 12345);
    EXPECT_EQ(back->output.started[2].parked_on, "orders");
    ASSERT_EQ(back->output.dead.size(), 1u);
    EXPECT_EQ(back->output.dead[0].execution_id, "dead1");
    EXPECT_EQ(back->output.dead[0].queue, "returns");
    EXPECT_EQ(back->output.dead[0].dead_ms, 777);
    ASSERT_EQ(back->output.replies.size(), 1u);
    EXPECT_EQ(back->output.replies[0], (transport::frames{"reply-to", "header", "body"}));
    EXPECT_EQ(back->output.answers, out.answers);
    EXPECT_FALSE(proto::decode_results(bytes + "x"));
    EXPECT_FALSE(proto::decode_results(bytes.substr(0, bytes.size() / 2)));
}

TEST(WorkerProtocol, HeadersAndServerAnswersRoundTrip) {
    proto::worker_header h;
    h.what = proto::kind::sequence;
    h.worker_id = "w1";
    h.sequence_name = "invoices";
    h.count = 100;
    const auto back = proto::decode_worker_header(proto::encode_header(h));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->what, proto::kind::sequence);
    EXPECT_EQ(back->sequence_name, "invoices");
    EXPECT_EQ(back->count, 100u);
    EXPECT_FALSE(proto::decode_worker_header("\x09"));

    const auto values = proto::decode_server_header(proto::encode_sequence_values(301)[0]);
    ASSERT_TRUE(values);
    EXPECT_EQ(values->first_value, 301u);
    const auto deployed =
        proto::decode_server_header(proto::encode_deployed("g1", {{"a.yaml", "name: a"}})[0]);
    ASSERT_TRUE(deployed);
    EXPECT_EQ(deployed->generation, "g1");
    ASSERT_EQ(deployed->files.size(), 1u);
    EXPECT_EQ(deployed->files[0].second, "name: a");
    const auto early =
        proto::decode_early_reply(proto::encode_early_reply({"to", "h", "b"}, {{"page/t", "p"}}));
    ASSERT_TRUE(early);
    EXPECT_EQ(early->first.size(), 3u);
    EXPECT_EQ(early->second[0].first, "page/t");
}

}  // namespace ferry::engine
