#pragma once

// The admin API as the CLI calls it: one request per call, HTTP or HTTPS, with the
// connection options every admin command shares.
#include <CLI/CLI.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <variant>

namespace ferry::tools {

struct admin_connection {
    std::string server = "http://127.0.0.1:9090";  // FERRY_SERVER
    std::string user;                              // FERRY_USER
    std::string token;                             // FERRY_TOKEN
    std::string ca_file;                           // trusted CA for https (default: system)
    std::string cert_file;                         // client certificate (client_cert)
    std::string key_file;
    bool json = false;  // --json: machine output
};

/// Adds --server, --user, --token, --ca, --cert, --key and --json to `cmd`.
void add_connection_options(CLI::App* cmd, admin_connection& c);

struct admin_reply {
    int status = 0;
    std::string body;
};

/// GET (or another method) `target` on the admin API. Empty with `error` set when the server
/// cannot be reached or spoken to.
std::optional<admin_reply> admin_request(const admin_connection& c, const std::string& method,
                                         const std::string& target, std::string* error,
                                         const std::string& body = "",
                                         const std::string& content_type = "");

/// One admin call whose answer is JSON: the parsed body when the status is one of `expected`,
/// else the exit code (after saying why on stderr: 2 unreachable, 3 refused, 1 otherwise).
std::variant<boost::json::value, int> admin_json(const admin_connection& c,
                                                 const std::string& method,
                                                 const std::string& target,
                                                 std::initializer_list<int> expected = {200},
                                                 const std::string& body = "",
                                                 const std::string& content_type = "");

/// A JSON value for a table cell: strings bare, null empty, the rest serialized.
std::string json_text(const boost::json::value& v);
/// Milliseconds since the epoch as "2026-11-24 10:00:00" (UTC), "-" for 0.
std::string table_time(std::int64_t ms);
/// An ISO time from the API ("2026-11-24T10:00:00.123Z") as "2026-11-24 10:00:00".
std::string short_time(const boost::json::value& v);
/// `s` cut to `width` characters, the last one "~" when cut.
std::string clipped(std::string s, std::size_t width);
/// Ends a command's callback with exit code `code` (nothing when 0).
void fail_with(int code);
/// Percent-encodes a path segment or query value.
std::string url_encoded(const std::string& s);

/// Prints a failed reply as "ferry: <detail> (HTTP status, error)" and returns the exit code
/// for it (1; 3 for 401/403, so scripts can tell a refusal).
int report_failure(const admin_reply& reply);

}  // namespace ferry::tools
