#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ferry/engine/model/message_template.hpp"
#include "ferry/profiles/typed_value.hpp"

namespace ferry::profiles {
class validator;
}

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
    std::size_t page_size = 100;        // list replies above this are paged (SPEC §2)
    std::uint32_t timeout_ms = 30'000;  // how long a synchronous caller waits
    /// Synchronous executions running at once (0: unlimited); unset: the server's default.
    std::optional<std::size_t> max_concurrent_executions;
    std::string result_content_type = "application/octet-stream";  // single_data replies
    /// Set when the process listens on this internal queue (SPEC §3) instead of serving an
    /// HTTP operation: queue_send steps of other processes start it.
    std::string queue;
    /// Profiles (SPEC §6) of the request documents, checked before they are stored, and of
    /// the reply documents (used by the WSDL); nullptr when the operation has none.
    std::shared_ptr<const profiles::validator> request_profile;
    std::shared_ptr<const profiles::validator> response_profile;

    /// type + object in lower camel case: create + Order -> createOrder; "" for a queue
    /// listener.
    std::string operation_name() const;
};

/// Queue names: 1 to 64 letters, digits, '.', '_' or '-'.
bool valid_queue_name(std::string_view name);
inline constexpr const char* queue_name_rule =
    "a queue name is 1 to 64 letters, digits, '.', '_' or '-'";

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

enum class comparison {
    equal,
    not_equal,
    less,
    less_equal,
    greater,
    greater_equal,
    regex,
    wildcard
};

/// Per document: compares two values; the true path runs to completion before the false path.
/// Element variables typed by the step's profile compare as their type (see compare()).
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
        std::optional<profiles::typed_value> typed;  // read at load when the value is typed
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

/// One field of a map: where its value comes from, how it is changed, and where it goes.
struct map_field {
    std::string to;    // target element path; a last segment "@name" is an attribute
    std::string from;  // source element path, relative to the current source element
    std::optional<std::string> constant;
    std::optional<message_template> value;  // template; element variables read the source
    std::optional<std::string> fallback;    // when the source is absent ("default:")
    bool required = false;                  // absent source (and no default) fails the document
    std::string date_from, date_to;         // date reformat masks, both or neither
    /// With the map's profiles: how the source and the target type the value. A source date
    /// is rewritten in the target's mask, and the target's type sets the JSON output type.
    std::optional<profiles::value_shape> source_shape, target_shape;
    enum class function { none, upper, lower, trim };
    function apply = function::none;
    enum class json_type { keep, string, number, boolean };
    json_type type = json_type::keep;  // JSON output; keep = as the source had it, else text
    std::string each;                  // repeats `fields` once per source element at this path
    std::vector<map_field> fields;     // with `each`: paths relative to the item and the target
    int line = 0;
};

/// Builds a new document of another shape from the fields of the current one, XML or JSON
/// either way. Without fields it converts the whole document to the output format.
struct map_step {
    enum class format { json, xml };
    format output = format::json;
    std::string root;  // XML output: the root element's name (default: the source root's)
    std::string namespace_uri;
    std::string profile, target_profile;  // names, for messages ("" without)
    std::vector<map_field> fields;
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

/// Runs another deployed process on the documents. With `wait`, the documents that reach the
/// called process's return step continue here and its failures are this step's failures;
/// without, the documents start a new execution of that process and pass on unchanged.
struct process_call_step {
    std::string process;
    bool wait = true;
};

/// Calls an HTTP(S) endpoint per document; the response body becomes the document.
struct http_call_step {
    std::string method = "GET";
    message_template url;  // rendered per document; http:// or https://
    std::vector<std::pair<std::string, message_template>> headers;
    bool send_body = false;  // the document as request body (POST/PUT/PATCH default)
    std::string content_type = "application/json";  // of the request body
    std::uint32_t timeout_ms = 10'000;              // per attempt: connect, send and receive
    std::uint32_t retries = 0;                      // 0..5, on connection errors, 429 and 5xx
    std::uint32_t backoff_ms = 200;                 // doubles after each retry
    bool fail_on_status = true;                     // a final non-2xx status fails the document
    std::string ca_file;                            // extra trusted CA (PEM) besides the system's
    bool verify_tls = true;
    std::size_t max_response_bytes = 16u << 20;
    /// Calls in flight to this step's partner (scheme, host, port) at once, over the server;
    /// more wait for one to end.
    std::uint32_t max_connections = 64;
};

/// Sends the documents that reach it, as one message, to an internal queue, and passes them
/// on. The message is stored with this execution's end; then one process listening on the
/// queue gets it (point to point), or, with `publish`, every one of them does. A failed
/// delivery is redelivered after 1, 2, 3, 5, 8 and 24 s, then becomes a dead letter.
struct queue_send_step {
    std::string queue;
    bool publish = false;
};

struct step {
    std::string id;  // unique within the process, used in traces and errors
    int line = 0;    // 1-based line in the definition file
    int column = 0;
    std::variant<message_step, set_properties_step, branch_step, decision_step, route_step,
                 split_step, combine_step, map_step, return_step, stop_step, exception_step,
                 try_catch_step, process_call_step, http_call_step, file_write_step,
                 queue_send_step>
        action;
};

/// The step kind's name as written in definitions ("message", "branch", ...).
std::string_view step_kind(const step& s);

/// Calls `visit` for every step of `steps` and, depth first, of the paths they open.
void visit_steps(const step_list& steps, const std::function<void(const step&)>& visit);

/// A deployed process: immutable once loaded; shared by every execution that runs it.
struct process {
    std::string name;
    std::uint32_t version = 1;
    execution_mode mode = execution_mode::general;
    listen_operation listen;
    step_list steps;
    std::string source_file;
    std::string source_text;      // the definition as loaded (shipped to remote workers)
    bool responds_early = false;  // some return step has respond: early
};

}  // namespace ferry::engine
