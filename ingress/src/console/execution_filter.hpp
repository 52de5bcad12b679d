#pragma once

#include <boost/url/url_view.hpp>
#include <string>
#include <utility>
#include <vector>

// The Executions page's filter, as the page's query and as the admin API's.
namespace ferry::ingress::console {

/// The filter fields the page shows, in its order: the admin API's names.
struct execution_filter_form {
    std::vector<std::pair<std::string, std::string>> fields;  // name -> value, only those set
    std::string id;                                           // "go to this execution"
    std::string cursor;
    std::string limit = "50";

    const std::string& value(std::string_view name) const;
    /// The fields as a query for /_admin/executions and /_admin/replays ("process=a&state=b").
    std::string query() const;
};

/// Reads the page's query. A time typed without seconds or zone ("2026-12-05T10:00", as a
/// datetime field gives it) is taken as UTC.
execution_filter_form read_filter_form(const boost::urls::url_view& target);

}  // namespace ferry::ingress::console
