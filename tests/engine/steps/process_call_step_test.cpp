// process_call: run another deployed process, waiting for it or not (SPEC §3).
#include "harness.hpp"

namespace ferry::engine::test_steps {

class ProcessCallStep : public StepTest {
protected:
    /// Writes each process as <name>.yaml, loads the directory, runs `main` over `payloads`.
    run_outcome run(const std::map<std::string, std::string>& steps_by_process,
                    std::vector<std::string> payloads, store::properties props = {}) {
        for (const auto& [name, steps] : steps_by_process) {
            // A process with a return step is a synchronous service, callable over HTTP too.
            const std::string output =
                steps.find("return:") != std::string::npos ? "multiple_json" : "none";
            dir_.write(name + ".yaml",
                       "name: " + name + "\nlisten: {type: execute, object: " + name +
                           ", input: multiple_json, output: " + output + "}\nsteps:\n" + steps);
        }
        registry_ = load_process_directory(dir_.str());
        find_process_ = [r = registry_](std::string_view n) { return r->by_name(n); };
        return run_loaded(*registry_->by_name("main"), std::move(payloads), std::move(props));
    }

    static std::string called(const std::string& process, bool wait) {
        return "- id: call\n  process_call: {process: " + process +
               ", wait: " + (wait ? "true" : "false") + "}\n";
    }

    std::shared_ptr<const registry> registry_;
};

// Waiting: what reaches the called process's return step continues in the caller; process
// properties are shared both ways; the called steps appear in the trace under the call.
TEST_F(ProcessCallStep, WaitingCallReturnsDocumentsAndShares) {
    const auto out = run(
        {{"main", called("enrich", true)},
         {"enrich",
          "- id: wrap\n  message: {template: \"'{'\\\"in\\\": {1}, \\\"by\\\": \\\"{2}\\\"'}'\", "
          "variables: [current_data, {process_property: caller}]}\n"
          "- set_properties: [{process: enriched, value: {static: 'yes'}}]\n"
          "- return: {}\n"}},
        {"1", "2"}, {{"caller", "main"}});
    ASSERT_TRUE(out.ok) << out.error;
    ASSERT_EQ(out.outputs.size(), 2u);
    EXPECT_EQ(out.outputs[0].doc.data, R"({"in": 1, "by": "main"})");
    EXPECT_EQ(out.outputs[1].doc.data, R"({"in": 2, "by": "main"})");
    EXPECT_EQ(out.process_props.at("enriched"), "yes");
    ASSERT_GE(out.trace.size(), 2u);
    EXPECT_EQ(out.trace[0].step, "call");
    EXPECT_EQ(out.trace[1].step, "call/wrap");
}

// A called process without a return step passes the original documents on.
TEST_F(ProcessCallStep, CalleeWithoutReturnPassesOriginals) {
    const auto out = run(
        {{"main", called("audit", true)}, {"audit", "- message: {template: changed}\n"}}, {"1"});
    ASSERT_TRUE(out.ok) << out.error;
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].doc.data, "1");
}

// A document that fails in the called process fails at the call step, alone, with the
// called process and step named.
TEST_F(ProcessCallStep, FailureInCalleeIsTheCallersDocumentFailure) {
    const auto out =
        run({{"main", called("check", true)},
             {"check",
              "- decision:\n    left: current_data\n    op: \"=\"\n    right: {static: bad}\n"
              "    then:\n      - id: refuse\n        exception: {message: \"refused {1}\", "
              "variables: [current_data]}\n"
              "    else:\n      - return: {}\n"}},
            {"good", "bad"});
    EXPECT_FALSE(out.ok);
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].doc.data, "good");
    ASSERT_EQ(out.failures.size(), 1u);
    EXPECT_EQ(out.failures[0].step, "call");
    EXPECT_EQ(out.failures[0].error, "process 'check', step 'refuse': refused bad");
}

// Not waiting: the documents start a new execution of the called process (queued by the
// executor when this one finishes) and pass on unchanged here.
TEST_F(ProcessCallStep, NotWaitingStartsAnExecution) {
    const auto out =
        run({{"main", called("notify", false)}, {"notify", "- message: {template: never here}\n"}},
            {"a", "b"}, {{"k", "v"}});
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(out.outputs.size(), 2u);
    EXPECT_EQ(out.outputs[0].doc.data, "a");
    ASSERT_EQ(out.started.size(), 1u);
    EXPECT_EQ(out.started[0].process, "notify");
    ASSERT_EQ(out.started[0].documents.size(), 2u);
    EXPECT_EQ(out.started[0].documents[1].data, "b");
    EXPECT_EQ(out.started[0].process_props.at("k"), "v");
}

// Start-up refuses a call to a process that is not deployed, and a waiting cycle.
TEST_F(ProcessCallStep, UnknownTargetsAndCyclesAreDefinitionErrors) {
    const auto error_of = [&](const std::map<std::string, std::string>& processes) {
        try {
            run(processes, {});
        } catch (const definition_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(error_of({{"main", called("nowhere", true)}})
                  .find("'nowhere', which is not a deployed process"),
              std::string::npos);
    std::filesystem::remove_all(dir_.path());
    std::filesystem::create_directories(dir_.path());
    const auto cycle = error_of({{"main", called("other", true)}, {"other", called("main", true)}});
    EXPECT_NE(cycle.find("the calls would never end"), std::string::npos) << cycle;
    std::filesystem::remove_all(dir_.path());
    std::filesystem::create_directories(dir_.path());
    // Not waiting is no cycle: each call is a new execution.
    EXPECT_EQ(error_of({{"main", called("other", false)}, {"other", called("main", false)}}),
              "no error");
}

}  // namespace ferry::engine::test_steps
