#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ferry/engine/message_template.hpp"

namespace ferry::engine {

/// Data shapes of a listen operation's request and reply (SPEC §2).
enum class data_type {
    none,
    single_data,
    single_xml,
    multiple_xml,
    single_json,
    multiple_json,
    multipart,
    ndjson
};

/// What an execution keeps in the store (SPEC §5).
enum class execution_mode { general, bridge, low_latency };

std::string_view to_string(data_type type);
std::optional<data_type> parse_data_type(std::string_view text);
std::string_view to_string(execution_mode mode);
std::optional<execution_mode> parse_execution_mode(std::string_view text);

/// The start of a process: which operation it serves and what it takes and gives.
struct listen_operation {
    std::string type;    // get, query, create, update, upsert, delete, execute
    std::string object;  // Order
    data_type input = data_type::single_data;
    data_type output = data_type::none;

    /// type + object in lower camel case: create + Order -> createOrder.
    std::string operation_name() const;
};

/// Builds one output document per input document from a template.
struct message_step {
    message_template body;
};

/// Writes each document to a file under the data directory's files/ folder and passes it on.
struct file_write_step {
    std::string directory;       // relative to <data>/files, validated on load
    message_template file_name;  // rendered per document; must not contain '/'
    bool append = false;         // append to one file instead of one file per document
};

struct step {
    std::string id;  // unique within the process, used in traces and errors
    int line = 0;    // 1-based line in the definition file
    std::variant<message_step, file_write_step> action;
};

/// A deployed process: immutable once loaded; shared by every execution that runs it.
struct process {
    std::string name;
    std::uint32_t version = 1;
    execution_mode mode = execution_mode::general;
    listen_operation listen;
    std::vector<step> steps;
    std::string source_file;
};

}  // namespace ferry::engine
