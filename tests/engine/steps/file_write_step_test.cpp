// file_write: one file per document or appended lines, below the data directory (SPEC §3).
#include "harness.hpp"

namespace ferry::engine::test_steps {

using FileWriteStep = StepTest;

// One file per document, named from a template; the documents pass on unchanged.
TEST_F(FileWriteStep, WritesOneFilePerDocument) {
    const auto outcome = run(R"(  - file_write:
      directory: out/sub
      file_name: "{1}.txt"
      variables: [{document_property: name}]
)",
                             {"first", "second"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(test::read_file(out_.path() / "files/out/sub/n0.txt"), "first");
    EXPECT_EQ(test::read_file(out_.path() / "files/out/sub/n1.txt"), "second");
    ASSERT_EQ(outcome.outputs.size(), 2u);
    EXPECT_EQ(outcome.outputs[1].doc.data, "second");
}

// A file name built from document data cannot climb out of the directory.
TEST_F(FileWriteStep, PathInNameFailsTheStep) {
    const auto outcome = run(R"(  - id: w
    file_write:
      directory: out
      file_name: "{1}"
      variables: [current_data]
)",
                             {"../../escape"});
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.failed_step, "w");
    EXPECT_NE(outcome.error.find("path separator"), std::string::npos);
}

// The message step renders each document with its own values.
TEST_F(FileWriteStep, MessageThenAppend) {
    const auto outcome = run(R"(  - message:
      template: "{1}:{2}"
      variables: [document_id, current_data]
  - file_write:
      directory: out
      file_name: all.log
      append: true
)",
                             {"a", "b"});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(test::read_file(out_.path() / "files/out/all.log"), "ex1-0:a\nex1-1:b\n");
}

}  // namespace ferry::engine::test_steps
