#include <gtest/gtest.h>

#include "ferry/engine/process_loader.hpp"
#include "ferry/engine/runner.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine {

class FileWriteStepTest : public ::testing::Test {
protected:
    run_outcome run(const std::string& steps, std::vector<std::string> payloads) {
        const auto file = dir_.write("p.yaml",
                                     "name: p\nlisten: {type: create, object: X, "
                                     "input: multiple_json, output: none}\nsteps:\n" +
                                         steps);
        const auto p = load_process_file(file.string());
        store::execution_record rec;
        rec.id = "ex1";
        std::vector<working_document> docs;
        for (std::size_t i = 0; i < payloads.size(); ++i) {
            rec.document_ids.push_back("ex1-" + std::to_string(i));
            docs.push_back({{payloads[i], {{"name", "n" + std::to_string(i)}}}, i, {}});
        }
        run_settings settings;
        settings.files_root = (out_.path() / "files").string();
        return run_process(*p, rec, std::move(docs), settings);
    }
    test::temp_dir dir_;
    test::temp_dir out_;
};

// One file per document, named from a template; the documents pass on unchanged.
TEST_F(FileWriteStepTest, WritesOneFilePerDocument) {
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
TEST_F(FileWriteStepTest, PathInNameFailsTheStep) {
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
TEST_F(FileWriteStepTest, MessageThenAppend) {
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

}  // namespace ferry::engine
