#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "runtimes/runtime_directory.hpp"

namespace ferry::ingress {

/// What a remote runtime's admin API answered, or why it could not be asked.
struct remote_answer {
    unsigned status = 0;      // 0: no answer (unreachable, TLS failed, timed out)
    std::string problem;      // with status 0: why
    std::string body;         // as sent
    boost::json::value json;  // the body parsed, null when it is not JSON

    bool ok() const { return status / 100 == 2; }
    /// "401 invalid_credentials: ..." or the reason it was not reached.
    std::string summary() const;
};

/// One request to `runtime`'s admin API with its admin credentials (Basic), over the engine's
/// HTTP client (TLS verified against the system CAs and the runtime's ca_file), within 5 s.
boost::asio::awaitable<remote_answer> call_runtime(const remote_runtime& runtime,
                                                   std::string method, std::string target,
                                                   std::string body = {},
                                                   std::string content_type = {});

}  // namespace ferry::ingress
