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
    std::size_t page_size = 100;          // list replies above this are paged (SPEC §2)
    std::uint32_t timeout_ms = 30'000;    // how long a synchronous caller waits
    std::string result_content_type = "application/octet-stream";  // single_data replies

    /// type + object in lower camel case: create + Order -> createOrder.
    std::string operation_name() const;
};

struct step;
/// A path: steps that run one after the other, each on what the previous one passed on.
/// A step that opens paths of its own (branch, decision, route, try_catch) ends its path.
using step_list = std::vector<step>;

/// Builds one output document per input document from a template, or one document for all
/// of them with `combine`.
struct message_step {
    message_template body;
    bool combine = false;
};

/// Sets document or process properties from templates (SPEC §3).
struct property_assignment {
    enum class scope { document, process };
    scope target = scope::document;
    std::string name;
    message_template value;
};
struct set_properties_step {
    std::vector<property_assignment> assignments;
};

/// Copies every document to each path; paths run in order, each to completion, and a document
/// that failed on a path does not enter the later ones.
struct branch_step {
    std::vector<step_list> paths;
};

enum class comparison { equal, not_equal, less, less_equal, greater, greater_equal, regex, wildcard };

/// Per document: compares two values; the true path runs to completion before the false path.
struct decision_step {
    variable left;
    comparison op = comparison::equal;
    variable right;
    step_list if_true;
    step_list if_false;
};

/// Per document: the first route whose value equals the document's value takes it, else the
/// default path; routes run in their order, the default last.
struct route_step {
    struct route {
        std::string value;
        step_list steps;
    };
    variable value;
    std::vector<route> routes;
    step_list otherwise;
};

/// One document per element of a JSON array (at `path`, dot-separated; empty = the document
/// itself) or per line.
struct split_step {
    enum class format { json_array, lines };
    format by = format::json_array;
    std::vector<std::string> path;
};

/// All documents into one: a JSON array, an XML list element, or concatenated with a separator.
struct combine_step {
    enum class format { json_array, xml_list, concatenate };
    format into = format::json_array;
    std::string element = "ObjectList";  // xml_list
    std::string separator = "\n";        // concatenate
};

/// Collects the documents that reach it as the execution's result (SPEC §2, §3).
struct return_step {
    enum class respond { end, early };
    respond when = respond::end;
};

/// Ends this path for the documents that reach it, or the whole execution (successfully).
struct stop_step {
    bool execution = false;
};

/// Fails the documents that reach it, or the whole execution, with a templated message.
struct exception_step {
    message_template message;
    bool execution = false;
};

/// Runs `try_steps`; documents that fail there are retried up to `retries` times with a
/// doubling backoff, then go to `catch_steps` with try_error and try_step properties set.
struct try_catch_step {
    std::uint32_t retries = 0;  // 0..5
    std::uint32_t backoff_ms = 100;
    bool catch_all = false;  // also execution-level errors, not only document errors
    step_list try_steps;
    step_list catch_steps;
};

/// Writes each document to a file under the data directory's files/ folder and passes it on.
struct file_write_step {
    std::string directory;       // relative to <data>/files, validated on load
    message_template file_name;  // rendered per document; must not contain '/'
    bool append = false;         // append to one file instead of one file per document
};

struct step {
    std::string id;    // unique within the process, used in traces and errors
    int line = 0;      // 1-based line in the definition file
    int column = 0;
    std::variant<message_step, set_properties_step, branch_step, decision_step, route_step,
                 split_step, combine_step, return_step, stop_step, exception_step,
                 try_catch_step, file_write_step>
        action;
};

/// The step kind's name as written in definitions ("message", "branch", ...).
std::string_view step_kind(const step& s);

/// A deployed process: immutable once loaded; shared by every execution that runs it.
struct process {
    std::string name;
    std::uint32_t version = 1;
    execution_mode mode = execution_mode::general;
    listen_operation listen;
    step_list steps;
    std::string source_file;
};

}  // namespace ferry::engine
