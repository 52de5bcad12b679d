#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

// Writing the console's HTML: every piece of data goes through escape(), so a stored payload
// or a name with markup in it shows as text (and the Content-Security-Policy would block a
// script that slipped through anyway).
namespace ferry::ingress::console {

/// `text` with & < > " ' as character references: safe as element text and quoted attributes.
std::string escape(std::string_view text);

/// A JSON value as page text: strings as they are, null as "", numbers and booleans as JSON.
std::string text_of(const boost::json::value& v);

/// `value` percent-encoded for a URL's query or path segment.
std::string url_encode(std::string_view value);

/// An ISO 8601 time of the admin API ("2026-12-05T09:50:15.686Z") as a table shows it
/// ("2026-12-05 09:50:15"); "" for null.
std::string short_time(const boost::json::value& iso);

/// A byte count for people: "512 B", "1.5 KiB", "3.2 GiB".
std::string bytes_text(std::uint64_t bytes);

/// An element with escaped text: tag("td", "a<b") is "<td>a&lt;b</td>"; `attributes` are
/// written as given (build them with escape()).
std::string tag(std::string_view name, std::string_view text, std::string_view attributes = {});

/// A link with escaped text and address.
std::string link(std::string_view href, std::string_view text, std::string_view attributes = {});

/// A button the console's script turns into an admin API request (console.js, act()).
struct action {
    std::string_view label;
    std::string url{};  // the admin API's URL ("" with each_url)
    std::string_view method = "POST";
    std::string confirm{};     // asked first ("{n}" is the number of rows selected)
    std::string then{};        // "reload" (default), "stay", or a URL with {field}s of the answer
    std::string selection{};   // the id of the table whose checked rows it acts on
    std::string each_url{};    // with selection: one request per row, "{}" is the row's value
    std::string body{};        // JSON sent as the body (without selection)
    std::string_view style{};  // "primary", "danger"
};
std::string action_button(const action& a);

/// A row's checkbox for selection (its value is what each_url or the ids body get).
std::string select_box(std::string_view value);

/// A state as a coloured badge (listening, paused, failed, succeeded, ...).
std::string badge(std::string_view state);

}  // namespace ferry::ingress::console
