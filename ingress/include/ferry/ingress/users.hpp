#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::ingress {

/// An IPv4 or IPv6 range in CIDR notation ("10.0.0.0/8", "::1/128", or one address).
struct ip_range {
    boost::asio::ip::address network;
    unsigned prefix = 0;

    [[nodiscard]] static std::optional<ip_range> parse(std::string_view text);
    bool contains(const boost::asio::ip::address& a) const;
    std::string to_string() const;
};

/// A token as stored: only its SHA-256, never the token.
struct stored_token {
    std::string id;      // short public id, to list and revoke tokens
    std::string sha256;  // hex
    std::int64_t created_ms = 0;
};

/// One user of the web server (SPEC §7): who may call, from where, and what.
struct user {
    std::string name;
    std::vector<stored_token> tokens;
    /// Switched on (even empty, which blocks every address) or off (any address).
    std::optional<std::vector<ip_range>> ip_allow;
    /// Operations the user may call; empty: every operation.
    std::vector<std::string> operations;
    /// APIs the user may call, by name (docs/apis.md); set, it calls only through them (their
    /// REST routes and SOAP endpoints, not /ws/simple or the server-wide SOAP endpoint).
    /// Empty: no such limit.
    std::vector<std::string> apis;
    bool admin = false;  // may use the admin endpoints and /metrics
    /// The client-certificate subject (RFC 2253, "CN=alice,O=Example") that identifies this
    /// user under client_cert authentication; empty: a certificate whose CN is the user name.
    std::string certificate_subject;
};

/// The users file (JSON, `<data>/users.json`), written by `ferry user ...` and read by the
/// server. Writes are atomic (temporary file + rename) so the server never reads half a file.
class user_directory {
public:
    [[nodiscard]] static boost::system::result<user_directory> load(const std::string& path);
    [[nodiscard]] boost::system::result<void> save(const std::string& path) const;

    const std::vector<user>& users() const { return users_; }
    const user* find(std::string_view name) const;
    user* find(std::string_view name);
    /// False when the name is taken or not a valid user name.
    bool add(user u);
    bool remove(std::string_view name);
    /// A new random token for `name`: returned once, stored hashed. nullopt: no such user.
    std::optional<std::string> issue_token(std::string_view name, std::int64_t now_ms);

    /// The user whose name and token match, in time that does not depend on which part was
    /// wrong (unknown user, wrong token), so that neither can be probed.
    const user* authenticate(std::string_view name, std::string_view token) const;

    /// The user a trusted client certificate identifies: the one whose certificate_subject is
    /// `subject`, else the one without a certificate_subject named `common_name`.
    const user* find_by_certificate(std::string_view subject, std::string_view common_name) const;

private:
    std::vector<user> users_;
};

/// 1 to 64 characters of letters, digits, '.', '_', '-', '@'.
bool valid_user_name(std::string_view name);

}  // namespace ferry::ingress
