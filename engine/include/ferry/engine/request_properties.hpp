#pragma once

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

/// Document properties inheader_<Name> for Accept*, Content-* and X-WSS-* headers; never for
/// protected ones (Connection, Upgrade, Via, Host, Proxy-*, X-Forwarded-*, Authorization).
store::properties header_properties(
    const std::vector<std::pair<std::string_view, std::string_view>>& headers);

/// Process properties inmethod, inpath, inuser, query_<k> and param_<name>.
store::properties process_properties(const request_facts& facts);

/// Splits an operation segment "createOrder;region=EU;priority=1" into the operation and its
/// matrix parameters. The `auth` parameter is credentials, never a process property.
std::string split_matrix(std::string_view segment,
                         std::vector<std::pair<std::string, std::string>>& params);

/// The user name of an "Authorization: Basic ..." header ("" when there is none). Identifies
/// only: checking credentials is the listener's authentication (docs/security.md).
std::string basic_auth_user(std::string_view authorization);

}  // namespace ferry::engine
