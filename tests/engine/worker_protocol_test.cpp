#include "workers/worker_protocol.hpp"

#include <gtest/gtest.h>

#include "ferry/store/records.hpp"

namespace ferry::engine {
namespace proto = worker_protocol;

TEST(WorkerProtocol, WorkCarriesTheExecutionsTheirDocumentsAndTheLimits) {
    proto::work w;
    w.number = 1'700'000'000'000'001;
    w.generation = "00aa";
    w.limits.kept.max_trace_entries = 7;
    w.limits.kept.max_kept_documents = 8;
    w.limits.kept.max_kept_bytes = 9;
    w.limits.page_ttl_ms = 10;
    w.limits.reply_ttl_ms = 11;
    w.limits.redelivery_ms = {12, 13};
    proto::leased_execution first;
    first.lease = 42;
    first.in_memory = true;
    first.record.id = "e1";
    first.record.process = "quote";
    first.record.reply_to = "r";
    first.documents = {{"{}", {{"inheader_X", "1"}}}, {"[]", {}}};
    proto::leased_execution second;
    second.lease = 43;
    second.record.id = "e2";
    // As a dispatcher sends what it claimed: the record and documents as they are stored.
    proto::leased_execution third;
    third.lease = 44;
    store::execution_record stored;
    stored.id = "e3";
    stored.process = "bulk";
    third.record.id = "e3";
    third.stored_record = store::encode_execution(stored);
    third.stored_documents = {store::encode_document({"<a/>", {{"k", "v"}}}),
                              store::encode_document({"<b/>", {}})};
    w.executions.push_back(first);
    w.executions.push_back(second);
    w.executions.push_back(third);
    const auto back = proto::decode_work(proto::encode_work(w));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->number, w.number);
    EXPECT_EQ(back->generation, "00aa");
    EXPECT_EQ(back->limits.kept.max_trace_entries, 7u);
    EXPECT_EQ(back->limits.reply_ttl_ms, 11);
    EXPECT_EQ(back->limits.redelivery_ms, (std::vector<std::uint32_t>{12, 13}));
    ASSERT_EQ(back->executions.size(), 3u);
    const auto& e1 = back->executions[0];
    EXPECT_EQ(e1.lease, 42u);
    EXPECT_TRUE(e1.in_memory);
    EXPECT_EQ(e1.record.id, "e1");
    EXPECT_EQ(e1.record.reply_to, "r");
    ASSERT_EQ(e1.documents.size(), 2u);
    EXPECT_EQ(e1.documents[0].props.at("inheader_X"), "1");
    const auto& e2 = back->executions[1];
    EXPECT_EQ(e2.lease, 43u);
    EXPECT_FALSE(e2.in_memory);
    EXPECT_EQ(e2.record.id, "e2");
    EXPECT_TRUE(e2.documents.empty());
    const auto& e3 = back->executions[2];
    EXPECT_EQ(e3.record.process, "bulk");
    ASSERT_EQ(e3.documents.size(), 2u);
    EXPECT_EQ(e3.documents[0].data, "<a/>");
    EXPECT_EQ(e3.documents[0].props.at("k"), "v");
    EXPECT_EQ(e3.documents[1].data, "<b/>");
}

TEST(WorkerProtocol, WorkThatDoesNotAddUpIsRefused) {
    proto::work w;
    w.generation = "00aa";
    proto::leased_execution e;
    e.lease = 1;
    e.record.id = "e1";
    e.documents = {{"{}", {}}};
    w.executions.push_back(e);
    const auto good = proto::encode_work(w);
    ASSERT_TRUE(proto::decode_work(good));
    // Every cut short of the whole is refused, as is anything past it.
    for (std::size_t cut = 0; cut < good[0].size(); ++cut) {
        EXPECT_FALSE(proto::decode_work({good[0].substr(0, cut)})) << cut;
    }
    EXPECT_FALSE(proto::decode_work({good[0] + "x"}));
    EXPECT_FALSE(proto::decode_work({good[0], "x"}));
    EXPECT_FALSE(proto::decode_work({}));
    // A document that is not one.
    auto broken = w;
    broken.executions[0].record.id = "e-broken";
    auto bytes = proto::encode_work(broken)[0];
    const auto doc = store::encode_document(e.documents[0]);
    const auto at = bytes.rfind(doc);
    ASSERT_NE(at, std::string::npos);
    bytes[at] = static_cast<char>(0xff);
    EXPECT_FALSE(proto::decode_work({bytes}));
    // Its number is read all the same: the worker says it received it.
    broken.number = 77;
    bytes = proto::encode_work(broken)[0];
    bytes[bytes.rfind(doc)] = static_cast<char>(0xff);
    EXPECT_FALSE(proto::decode_work({bytes}));
    EXPECT_EQ(proto::work_number({bytes}), 77u);
    EXPECT_FALSE(proto::work_number({"\x0b"}));
    EXPECT_FALSE(proto::work_number({}));
}

TEST(WorkerProtocol, ResultsCarryEverythingTheFinishWrites) {
    store::execution_record rec;
    rec.id = "e1";
    rec.state = store::execution_state::succeeded;
    rec.pending_seq = 41;
    rec.finished_ms = 1234;
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
    // Records and step outputs stay in their stored form, read only as far as their heads.
    ASSERT_EQ(back->records.size(), 2u);
    ASSERT_EQ(back->heads.size(), 2u);
    EXPECT_EQ(back->records[0], store::encode_execution(rec));
    EXPECT_EQ(back->heads[0].id, "e1");
    EXPECT_EQ(back->heads[0].state, store::execution_state::succeeded);
    EXPECT_EQ(back->heads[0].pending_seq, rec.pending_seq);
    EXPECT_EQ(back->heads[0].finished_ms, rec.finished_ms);
    const auto first = store::decode_execution(back->records[0]);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->trace.size(), 1u);
    EXPECT_EQ(first->trace[0].output_ids[0], "e1-s0-0");
    EXPECT_EQ(back->heads[1].id, "e2");
    EXPECT_EQ(back->heads[1].state, store::execution_state::failed);
    EXPECT_EQ(store::decode_execution(back->records[1])->error, "step 'x': no");
    EXPECT_TRUE(back->output.kept.empty());
    ASSERT_EQ(back->output.encoded.documents.size(), 1u);
    EXPECT_EQ(store::decode_document(back->output.encoded.documents[0].second)->data, "kept");
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
    proto::worker_header idle;
    idle.what = proto::kind::ready_all;
    idle.worker_id = "w1";
    idle.count = 1024;
    idle.received = 1'700'000'000'000'123;
    const auto idle_back = proto::decode_worker_header(proto::encode_header(idle));
    ASSERT_TRUE(idle_back);
    EXPECT_EQ(idle_back->what, proto::kind::ready_all);
    EXPECT_EQ(idle_back->received, idle.received);

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
