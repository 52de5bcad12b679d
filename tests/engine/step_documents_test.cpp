// General mode keeps every step's output, each distinct document once: an output equal to a
// document the execution stored before it names that document (run_execution, SPEC §5).
#include <gtest/gtest.h>

#include "execute/execution.hpp"
#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/model/registry.hpp"
#include "ferry/engine/run/run_blocking.hpp"

namespace ferry::engine {
namespace {

class StepDocumentsTest : public ::testing::Test {
protected:
    // Runs the process whose steps are `steps` (YAML) on one document per payload.
    store::execution_record run(const std::string& steps, std::vector<std::string> payloads,
                                execution_output& out, std::string mode = "general") {
        processes_ = std::make_shared<registry>();
        const bool added = processes_->add(load_process_text(
            "name: p\nmode: " + mode +
                "\nlisten: {type: create, object: Thing, input: multiple_json, output: " +
                (mode == "general" ? "none" : "multiple_json") + "}\nsteps:\n" + steps,
            "p.yaml"));
        if (!added) throw std::runtime_error("process not added");
        host_ = std::make_unique<registry_host>(processes_);
        services_.host = host_.get();
        store::execution_record rec;
        rec.id = "01a2000000000000000000aa";
        rec.process = "p";
        rec.debug = mode != "general";
        std::vector<store::document> documents;
        for (std::size_t i = 0; i < payloads.size(); ++i) {
            rec.document_ids.push_back(rec.id + "-" + std::to_string(i));
            documents.push_back({payloads[i], {{"origin", "post"}}});
        }
        run_blocking(run_execution(rec, std::move(documents), limits_, services_, out));
        return rec;
    }

    std::shared_ptr<registry> processes_;
    std::unique_ptr<registry_host> host_;
    execution_services services_;
    execution_limits limits_;
};

// A step that passes its document on unchanged stores nothing: its trace names the request's
// document.
TEST_F(StepDocumentsTest, UnchangedOutputNamesTheRequestDocument) {
    execution_output out;
    const auto rec =
        run("  - message: {template: '{1}', variables: [current_data]}\n", {"{\"a\":1}"}, out);
    ASSERT_EQ(rec.state, store::execution_state::succeeded) << rec.error;
    ASSERT_EQ(rec.trace.size(), 1u);
    EXPECT_EQ(rec.trace[0].output_ids, std::vector<std::string>{rec.id + "-0"});
    EXPECT_TRUE(out.kept.empty());
}

// A changed output is stored under its step's id.
TEST_F(StepDocumentsTest, ChangedOutputIsStoredUnderItsStepId) {
    execution_output out;
    const auto rec =
        run("  - message: {template: 'got {1}', variables: [current_data]}\n", {"{\"a\":1}"}, out);
    ASSERT_EQ(rec.trace.size(), 1u);
    EXPECT_EQ(rec.trace[0].output_ids, std::vector<std::string>{rec.id + "-s0-0"});
    ASSERT_EQ(out.kept.size(), 1u);
    EXPECT_EQ(out.kept[0].first, rec.id + "-s0-0");
    EXPECT_EQ(out.kept[0].second.data, "got {\"a\":1}");
    EXPECT_EQ(out.kept[0].second.props.at("origin"), "post");
}

// Outputs equal to one made earlier (in this step or before) name that one: two documents
// turned into the same text are stored once, and passing it on stores nothing.
TEST_F(StepDocumentsTest, OutputEqualToAnEarlierOutputIsStoredOnce) {
    execution_output out;
    const auto rec =
        run("  - message: {template: '{1}', variables: [current_data]}\n"
            "  - message: {template: 'one', variables: []}\n"
            "  - message: {template: '{1}', variables: [current_data]}\n",
            {"1", "2"}, out);
    ASSERT_EQ(rec.state, store::execution_state::succeeded) << rec.error;
    ASSERT_EQ(rec.trace.size(), 3u);
    EXPECT_EQ(rec.trace[0].output_ids, (std::vector<std::string>{rec.id + "-0", rec.id + "-1"}));
    const std::vector<std::string> made{rec.id + "-s1-0", rec.id + "-s1-0"};
    EXPECT_EQ(rec.trace[1].output_ids, made);
    EXPECT_EQ(rec.trace[2].output_ids, made);
    ASSERT_EQ(out.kept.size(), 1u);
    EXPECT_EQ(out.kept[0].first, rec.id + "-s1-0");
    EXPECT_EQ(out.kept[0].second.data, "one");
}

// The same bytes with other properties are another document, stored.
TEST_F(StepDocumentsTest, SameBytesWithOtherPropertiesAreStored) {
    execution_output out;
    const auto rec =
        run("  - set_properties:\n      - document: region\n"
            "        value: {static: north}\n",
            {"7"}, out);
    ASSERT_EQ(rec.trace.size(), 1u);
    EXPECT_EQ(rec.trace[0].output_ids, std::vector<std::string>{rec.id + "-s0-0"});
    ASSERT_EQ(out.kept.size(), 1u);
    EXPECT_EQ(out.kept[0].second.data, "7");
    EXPECT_EQ(out.kept[0].second.props.at("region"), "north");
}

// In memory (low_latency with X-Debug) the request's documents are not in the store, so an
// unchanged output is stored itself rather than naming them.
TEST_F(StepDocumentsTest, InMemoryOutputsNeverNameTheRequestDocuments) {
    services_.in_memory = true;
    execution_output out;
    const auto rec =
        run("  - message: {template: '{1}', variables: [current_data]}\n"
            "  - return: {}\n",
            {"5"}, out, "low_latency");
    ASSERT_EQ(rec.trace.size(), 2u);
    EXPECT_EQ(rec.trace[0].output_ids, std::vector<std::string>{rec.id + "-s0-0"});
    ASSERT_EQ(out.kept.size(), 1u);
    EXPECT_EQ(out.kept[0].second.data, "5");
}

}  // namespace
}  // namespace ferry::engine
