#pragma once

#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include "support/temp_dir.hpp"

namespace ferry::test {

/// A process that appends the id of every document it runs on to <data>/files/log/executed.log:
/// the witness that integration and crash tests count executions with.
inline constexpr const char* recording_process = R"(name: recordEvent
version: 1
mode: general
listen: {type: create, object: Event, input: multiple_json, output: none}
steps:
  - message:
      template: "{1}"
      variables: [document_id]
  - file_write:
      directory: log
      file_name: executed.log
      append: true
)";

/// How many times each document id was executed, from executed.log.
inline std::map<std::string, int> executed_documents(const std::filesystem::path& data) {
    std::istringstream in(read_file(data / "files/log/executed.log"));
    std::map<std::string, int> seen;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) ++seen[line];
    }
    return seen;
}

}  // namespace ferry::test
