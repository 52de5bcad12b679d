#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ferry/ingress/server.hpp"

namespace ferry::ingress {

/// A listener from its command-line form (docs/security.md, "Ports"):
///   http://127.0.0.1:9090
///   https://0.0.0.0:9443?cert=server.pem&key=server.key&client_ca=clients.pem
///   http://[::1]:9091?role=admin&max_connections=100&rate_limit=50&rate_burst=100
/// `defaults` supplies what the text leaves out. The error is a sentence naming the problem.
std::variant<listener_settings, std::string> parse_listener(std::string_view text,
                                                            const listener_settings& defaults);

/// CORS rules from a YAML file (a list under `cors:`; docs/security.md, "CORS"). The error
/// names the file, line and problem.
std::variant<std::vector<cors_rule>, std::string> load_cors_rules(const std::string& path);

}  // namespace ferry::ingress
