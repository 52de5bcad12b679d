#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/store/records.hpp"

namespace ferry::engine {

/// What a request tells the process about itself (SPEC §2, "Request data in the process").
/// The ingress and `ferry test` build properties through these, so both behave the same.
struct request_facts {
    std::string method;                                       // inmethod
    std::string path;                                         // inpath
    std::vector<std::pair<std::string, std::string>> query;   // query_<k>
    std::vector<std::pair<std::string, std::string>> params;  // param_<name>: ;name=value
    std::string user;                                         // inuser
};

/// Whether a request header reaches the process as document property inheader_<Name>: only
/// Accept*, Content-* and X-WSS-* headers, never protected ones (Connection, Upgrade, Via,
/// Host, Proxy-*, X-Forwarded-*, Authorization).
bool passes_to_process(std::string_view header_name);

/// The inheader_<Name> properties of `headers` (name, value pairs).
template <typename Headers>
store::properties header_properties(const Headers& headers) {
    store::properties props;
    for (const auto& [name, value] : headers) {
        if (passes_to_process(name))
            props.emplace("inheader_" + std::string(name), std::string(value));
    }
    return props;
}

/// Process properties inmethod, inpath, inuser, query_<k> and param_<name>.
store::properties process_properties(const request_facts& facts);

/// Splits an operation segment "createOrder;region=EU;priority=1" into the operation and its
/// matrix parameters. The `auth` parameter is credentials, never a process property: its value
/// goes to `auth` when given.
std::string split_matrix(std::string_view segment,
                         std::vector<std::pair<std::string, std::string>>& params,
                         std::string* auth = nullptr);

/// Standard base64 with padding (RFC 4648): Basic credentials, binary documents in JSON.
std::string base64_encode(std::string_view bytes);

/// "user:token" from base64 (a Basic header's credentials or a ;auth= parameter); nullopt
/// when it is not valid base64 or has no colon.
std::optional<std::pair<std::string, std::string>> decode_credentials(std::string_view base64);

/// The user and password (token) of an "Authorization: Basic ..." header; nullopt for none.
std::optional<std::pair<std::string, std::string>> basic_credentials(
    std::string_view authorization);

/// The user name of an "Authorization: Basic ..." header ("" when there is none). Identifies
/// only: checking credentials is the listener's authentication (docs/security.md).
std::string basic_auth_user(std::string_view authorization);

}  // namespace ferry::engine
