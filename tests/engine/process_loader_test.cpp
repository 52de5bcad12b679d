#include "ferry/engine/model/process_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "support/temp_dir.hpp"

namespace ferry::engine {

class ProcessLoaderTest : public ::testing::Test {
protected:
    std::string error_of(const std::string& yaml) {
        const auto file = dir_.write("p.yaml", yaml);
        try {
            load_process_file(file.string());
        } catch (const definition_error& e) {
            return e.what();
        }
        return "";
    }
    test::temp_dir dir_;
};

constexpr const char* valid = R"(name: createOrder
version: 2
mode: general
listen:
  type: create
  object: Order
  input: multiple_json
  output: none
steps:
  - id: stamp
    message:
      template: "{1}"
      variables: [document_id]
  - file_write:
      directory: orders
)";

// A valid definition loads with its operation name and steps.
TEST_F(ProcessLoaderTest, LoadsValidDefinition) {
    const auto p = load_process_file(dir_.write("p.yaml", valid).string());
    EXPECT_EQ(p->name, "createOrder");
    EXPECT_EQ(p->version, 2u);
    EXPECT_EQ(p->listen.operation_name(), "createOrder");
    EXPECT_EQ(p->listen.input, data_type::multiple_json);
    ASSERT_EQ(p->steps.size(), 2u);
    EXPECT_EQ(p->steps[0].id, "stamp");
    EXPECT_EQ(p->steps[1].id, "step2");
}

// Every mistake names file, line and column and says what is wrong.
TEST_F(ProcessLoaderTest, MistakesGiveFileLineColumn) {
    const std::string path = (dir_.path() / "p.yaml").string();
    std::string yaml = valid;
    EXPECT_EQ(error_of(yaml.replace(yaml.find("type: create"), 12, "type: fly")),
              path +
                  ":5:9: listen type must be one of get, query, create, update, upsert, "
                  "delete, execute");
    yaml = valid;
    EXPECT_EQ(
        error_of(yaml.replace(yaml.find("message:"), 8, "mesage:")),
        path +
            ":11:5: unknown step 'mesage'; steps are message, set_properties, branch, decision, "
            "route, split, combine, map, return, stop, exception, try_catch, process_call, "
            "http_call, file_write and queue_send");
    yaml = valid;
    EXPECT_NE(error_of(yaml.replace(yaml.find("\"{1}\""), 5, "\"{2}\"")).find(":12:17: template"),
              std::string::npos);
    EXPECT_NE(error_of("name: [unclosed").find("p.yaml:1:"), std::string::npos);
    EXPECT_NE(error_of("name: x\n").find("process needs the field 'listen'"), std::string::npos);
}

// The step graph's own rules, each with its line and column.
TEST_F(ProcessLoaderTest, StepGraphMistakes) {
    const std::string path = (dir_.path() / "p.yaml").string();
    const auto process_with = [](const std::string& output, const std::string& steps,
                                 const std::string& mode = "general") {
        return "name: p\nmode: " + mode +
               "\nlisten: {type: create, object: X, input: single_data, output: " + output +
               "}\nsteps:\n" + steps;
    };
    struct mistake {
        std::string yaml;
        std::string expected;
    };
    const std::vector<mistake> mistakes = {
        {process_with("none",
                      "  - branch:\n      paths:\n        - steps: []\n"
                      "        - steps: []\n  - message: {template: x}\n"),
         ":9:5: this step follows the branch step 'step1', which ends its path"},
        {process_with("none", "  - return: {}\n"),
         ":5:5: a return step answers the caller, but the listen output is none"},
        {process_with("single_json", "  - stop: {}\n  - return: {}\n"),
         ":6:5: this step can never run: the stop step 'step1' before it passes no documents on"},
        {process_with("single_json", "  - exception: {message: no}\n  - return: {}\n"),
         ":6:5: this step can never run: the exception step 'step1'"},
        {process_with("single_json", "  - message: {template: x}\n"),
         ":3:63: output is single_json but no path reaches a return step"},
        {process_with("none", "  - message: {template: x}\n", "low_latency"),
         ":2:7: low_latency stores nothing"},
        {process_with("none",
                      "  - decision: {left: current_data, op: regex, right: {static: "
                      "\"[a\"}}\n"),
         ":5:54: this is not a valid regular expression"},
        {process_with("none", "  - branch:\n      paths:\n        - steps: []\n"),
         ":7:9: a branch has from 2 to 25 paths"},
        {process_with("none",
                      "  - route:\n      value: current_data\n      routes:\n"
                      "        - {when: EU, steps: []}\n        - {when: EU, steps: []}\n"),
         ":9:18: the value 'EU' is routed twice"},
        {process_with("none",
                      "  - id: a\n    message: {template: x}\n  - branch:\n"
                      "      paths:\n        - steps: [{id: a, stop: {}}]\n"
                      "        - steps: []\n"),
         ":9:19: step id 'a' is used twice"},
        {process_with("none", "  - try_catch: {retries: 9, try: []}\n"),
         ":5:26: retries must be from 0 to 5"},
        {process_with("none", "  - decision: {left: current_data, op: \"~\", right: x}\n"),
         ":5:40: op must be one of =, !=, <, <=, >, >=, regex, wildcard"},
        {process_with("none", "  - exception: {message: x, scope: path}\n"),
         ":5:36: exception scope must be document (the default) or execution"},
    };
    for (const auto& m : mistakes) {
        const auto error = error_of(m.yaml);
        EXPECT_NE(error.find(path + m.expected), std::string::npos)
            << "got:  " << error << "\nwant: " << m.expected << "\nfor:\n"
            << m.yaml;
    }
}

// file_write may not escape the data directory.
TEST_F(ProcessLoaderTest, FileWriteDirectoryMustStayInside) {
    std::string yaml = valid;
    yaml.replace(yaml.find("directory: orders"), 17, "directory: ../../etc");
    EXPECT_NE(error_of(yaml).find("stay inside"), std::string::npos);
}

// Two processes serving one operation stop start-up.
TEST_F(ProcessLoaderTest, DuplicateOperationIsRefused) {
    dir_.write("a.yaml", valid);
    std::string other = valid;
    other.replace(0, 17, "name: other");
    dir_.write("b.yaml", other);
    try {
        load_process_directory(dir_.str());
        FAIL() << "expected a definition error";
    } catch (const definition_error& e) {
        EXPECT_NE(std::string(e.what()).find("already defined"), std::string::npos);
    }
}

// A profile beside the definition is carried inside it; mistakes name the file they are in.
TEST_F(ProcessLoaderTest, RequestProfiles) {
    const std::string reading =
        "profile: Reading\nformat: json\nroot:\n  elements:\n"
        "    - {name: value, type: number}\n";
    const std::string process =
        "name: p\nlisten: {type: create, object: R, input: single_json,\n"
        "  output: none, request_profile: Reading}\n";
    dir_.write("Reading.profile.yaml", reading);
    const auto file = dir_.write("p.yaml", process);
    const auto p = load_process_file(file.string());
    ASSERT_TRUE(p->listen.request_profile);
    EXPECT_NE(p->source_text.find("--- # ferry profile Reading\n" + reading), std::string::npos);
    // The carried copy is what counts: it loads without the file.
    std::filesystem::remove(dir_.path() / "Reading.profile.yaml");
    EXPECT_TRUE(load_process_text(p->source_text, "stored")->listen.request_profile);
    // The directory loader takes profiles as profiles, not processes.
    dir_.write("Reading.profile.yaml", reading);
    EXPECT_EQ(load_process_directory(dir_.str())->active().size(), 1u);

    EXPECT_NE(error_of("name: p\nlisten: {type: create, object: R, input: single_json,\n"
                       "  output: none, request_profile: Missing}\n")
                  .find("p.yaml:3:34: profile 'Missing' is not there"),
              std::string::npos)
        << error_of(
               "name: p\nlisten: {type: create, object: R, input: single_json,\n"
               "  output: none, request_profile: Missing}\n");
    EXPECT_NE(error_of("name: p\nlisten: {type: create, object: R, input: single_xml,\n"
                       "  output: none, request_profile: Reading}\n")
                  .find("describes json but the input type is single_xml"),
              std::string::npos);
    EXPECT_NE(error_of("name: p\nlisten: {type: create, object: R, input: single_data,\n"
                       "  output: none, request_profile: Reading}\n")
                  .find("needs an XML or JSON input type"),
              std::string::npos);
    // Queue messages never pass the ingress, so a queue listener cannot name a request profile
    // that nothing would check.
    EXPECT_NE(
        error_of("name: p\nlisten: {queue: q, input: single_json, request_profile: Reading}\n")
            .find("unknown field 'request_profile'"),
        std::string::npos);
    // A broken profile file is reported at its own line.
    dir_.write("Reading.profile.yaml",
               "profile: Reading\nformat: json\nroot:\n  elements:\n"
               "    - {name: v, type: decimal}\n");
    const auto broken = error_of(process);
    EXPECT_NE(broken.find("Reading.profile.yaml:5:"), std::string::npos) << broken;
    EXPECT_NE(broken.find("unknown type 'decimal'"), std::string::npos) << broken;
}

// The shipped examples load, and together they use every step kind.
TEST_F(ProcessLoaderTest, ExamplesLoadAndUseEveryStepKind) {
    const auto processes = load_process_directory(FERRY_EXAMPLES_DIR);
    EXPECT_TRUE(processes->by_operation("createOrder"));
    std::set<std::string> used;
    for (const auto& [name, p] : processes->active()) {
        visit_steps(p->steps, [&](const step& s) { used.insert(std::string(step_kind(s))); });
    }
    EXPECT_EQ(processes->queue_listeners("warehouse").size(), 1u);  // pickOrder
    const std::set<std::string> all = {
        "message",      "set_properties", "branch",     "decision",
        "route",        "split",          "combine",    "map",
        "return",       "stop",           "exception",  "try_catch",
        "process_call", "http_call",      "file_write", "queue_send"};
    EXPECT_EQ(used, all);
    EXPECT_EQ(std::variant_size_v<decltype(step{}.action)>, all.size());
}

}  // namespace ferry::engine
