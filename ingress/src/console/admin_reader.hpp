#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "routes.hpp"

namespace ferry::ingress::console {

/// What the admin API answered.
struct admin_answer {
    unsigned status = 0;
    boost::json::value body;  // the parsed JSON (null when the answer was not JSON)

    bool ok() const { return status / 100 == 2; }
    /// The answer's `error` and `detail` ("unknown_execution: no execution has the id 'x'").
    std::string problem() const;
};

/// The admin API's answer to GET `target` (a path and its query), from the handler that
/// serves it over HTTP: every console page shows exactly what the JSON API says.
boost::asio::awaitable<admin_answer> read_admin(const routed_request& from, std::string target);

}  // namespace ferry::ingress::console
