// `ferry test`: runs a process on a sample, prints steps and the reply, and says by its exit
// status whether the execution succeeded.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>

#include "support/temp_dir.hpp"

namespace ferry {
namespace {

struct command_result {
    int status = -1;
    std::string output;
};

command_result run(const std::string& args) {
    const std::string command = std::string(FERRY_BINARY) + " test " + args + " 2>&1";
    command_result r;
    FILE* pipe = popen(command.c_str(), "r");
    char buffer[4096];
    while (const auto n = std::fread(buffer, 1, sizeof buffer, pipe)) r.output.append(buffer, n);
    const int raw = pclose(pipe);
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return r;
}

class TestCommandTest : public ::testing::Test {
protected:
    test::temp_dir dir_;
};

// A synchronous process: each step's documents and properties, then the reply with the
// status and headers the result document set.
TEST_F(TestCommandTest, PrintsStepsAndTheReply) {
    const auto process = dir_.write("greet.yaml", R"(name: greet
listen: {type: execute, object: Greeting, input: single_json, output: single_json}
steps:
  - id: hello
    message:
      template: "'{'\"greeting\": \"hello {1} from {2}\"'}'"
      variables: [{element: name}, {process_property: query_site}]
  - id: created
    set_properties: [{document: outstatuscode, value: {static: "201"}}]
  - return: {}
)");
    const auto input = dir_.write("greet.input.json", R"({"name": "Ada"})");
    const auto r = run(process.string() + " --input " + input.string() + " --query site=Zug");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("step hello (message): 1 in, 1 out, 0 failed"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("| {\"greeting\": \"hello Ada from Zug\"}"), std::string::npos);
    EXPECT_NE(r.output.find("outstatuscode = 201"), std::string::npos);
    EXPECT_NE(r.output.find("HTTP/1.1 201\nContent-Type: application/json\n\n{\"greeting\": "
                            "\"hello Ada from Zug\"}"),
              std::string::npos)
        << r.output;
}

// A failing execution exits 1 with the 500 reply and the failed step; a bad request body is
// refused as the server would; a definition mistake exits 2 with its position.
TEST_F(TestCommandTest, FailuresExitNonZero) {
    const auto process = dir_.write("strict.yaml", R"(name: strict
listen: {type: execute, object: Strict, input: single_json, output: single_json}
steps:
  - decision:
      left: {element: name}
      op: "="
      right: {static: Bob}
      then:
        - id: refuse
          exception: {message: "no {1}", variables: [{element: name}]}
      else:
        - return: {}
)");
    const auto input = dir_.write("in.json", R"({"name": "Bob"})");
    const auto failed = run(process.string() + " --input " + input.string());
    EXPECT_EQ(failed.status, 1) << failed.output;
    EXPECT_NE(failed.output.find("HTTP/1.1 500"), std::string::npos);
    EXPECT_NE(failed.output.find("execution failed at step 'refuse': no Bob"), std::string::npos);

    const auto bad_json = dir_.write("bad.json", "{\"name\": ");
    const auto refused = run(process.string() + " --input " + bad_json.string());
    EXPECT_EQ(refused.status, 1);
    EXPECT_NE(refused.output.find("HTTP/1.1 400"), std::string::npos) << refused.output;

    const auto broken = dir_.write("broken.yaml", "name: b\nlisten: {type: execute}\n");
    const auto definition = run(broken.string());
    EXPECT_EQ(definition.status, 2);
    EXPECT_NE(definition.output.find("broken.yaml:2:"), std::string::npos) << definition.output;
}

}  // namespace
}  // namespace ferry
