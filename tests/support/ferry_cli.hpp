#pragma once

// Running the real `ferry` binary's commands, and credentials for its users, in tests.
#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include "ferry/engine/intake/request_properties.hpp"

namespace ferry::test {

/// Runs `ferry <args>` and returns its stdout without the final newline (the token, for
/// `user add` and `user token`); nullopt when it exits with a failure.
inline std::optional<std::string> ferry_command(const std::string& args) {
    const std::string command = std::string(FERRY_BINARY) + " " + args + " 2>/dev/null";
    FILE* out = ::popen(command.c_str(), "r");
    if (!out) return std::nullopt;
    std::string text;
    char buf[256];
    while (const auto n = std::fread(buf, 1, sizeof buf, out)) text.append(buf, n);
    const int status = ::pclose(out);
    if (status != 0) return std::nullopt;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

inline std::string base64(const std::string& in) { return engine::base64_encode(in); }

/// The Authorization header of HTTP Basic for `user` and `token`.
inline std::map<std::string, std::string> basic(const std::string& user, const std::string& token) {
    return {{"Authorization", "Basic " + base64(user + ":" + token)}};
}

}  // namespace ferry::test
