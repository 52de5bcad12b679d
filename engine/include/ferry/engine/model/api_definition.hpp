#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ferry::profiles {
class validator;
}

namespace ferry::engine {

/// One segment of a REST route's path: a literal ("orders") or a parameter ("{orderId}").
struct path_segment {
    std::string text;  // the literal, or the parameter's name
    bool parameter = false;
};

/// A query parameter a route declares: checked before anything is stored (400 naming it).
struct query_parameter {
    enum class type : std::uint8_t { string, integer, number, boolean };
    type kind = type::string;
    bool required = false;
};

/// A REST route of an API (docs/apis.md): an HTTP method and a path below the API's base
/// path, served by a process's listen operation.
struct api_route {
    std::string method;  // GET, POST, PUT, PATCH, DELETE
    std::string path;    // as written: "orders/{orderId}/shipments"
    std::vector<path_segment> segments;
    std::string operation;  // the listen operation that serves it (createOrder)
    std::map<std::string, query_parameter> query;
    /// Routing headers: the route matches only requests carrying each header with exactly
    /// this value (name matched case-insensitively), and beats a route without them.
    std::map<std::string, std::string> headers;
    std::string summary;
    // Overrides of the operation's own settings ("" / 0: the operation's).
    std::string input;
    std::string output;
    std::string request_profile;
    std::string response_profile;
    /// The profiles named above, as the definition carries them (null: the operation's).
    std::shared_ptr<const profiles::validator> request_validator{};
    std::shared_ptr<const profiles::validator> response_validator{};
    std::uint32_t page_size = 0;
    std::string content_type;  // of single-data output
    /// The status of a successful answer as the process sets it (outstatuscode), for the
    /// OpenAPI document; 0: 200 (202 for an operation that answers with the receipt).
    std::uint16_t status = 0;
};

/// An API version marked for retirement: its responses say so (Deprecation, Sunset, a link
/// to the successor), and from `sunset` on it answers 410 api_sunset.
struct api_deprecation {
    std::string sunset;     // YYYY-MM-DD
    std::string successor;  // the base path of the version that replaces it ("" for none)
};

/// A versioned API over processes (SPEC §7, docs/apis.md): a base path, REST routes and SOAP
/// operations, each linked to a process's listen operation.
struct api_definition {
    std::string name;
    std::uint32_t version = 1;
    std::string title;
    std::string description;
    std::string base_path;                     // "orders/v2": literal segments, no slashes around
    std::vector<std::string> headers;          // request headers passed on as inheader_<name>
    std::vector<api_route> routes;             // in file order
    std::vector<std::string> soap_operations;  // served at /ws/soap/<base path>
    std::optional<api_deprecation> deprecated;
    std::string source;       // the definition's text, as deployed
    std::string source_file;  // the file it came from (what errors cite)
};

/// Whether a YAML document defines an API (a top-level `api:` field) rather than a process.
bool is_api_definition_text(const std::string& text);

/// Parses and validates an API definition given as text; `name` (a file name) is what errors
/// cite. Throws definition_error "FILE:LINE:COLUMN: sentence". Whether the operations it
/// names are deployed is checked when it is deployed, not here.
std::shared_ptr<const api_definition> load_api_text(const std::string& text,
                                                    const std::string& name);

}  // namespace ferry::engine
