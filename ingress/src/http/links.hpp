#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>

#include "ferry/ingress/server.hpp"
#include "service.hpp"

namespace ferry::ingress {

/// What generated links start with for this request: the external base URL, or with
/// trusted forwarded headers the URL the proxy was called with
/// (X-Forwarded-Proto/-Host/-Port/-Prefix, or the prefix X-Request-Uri adds to this request's
/// path); "" to leave links as paths on the serving host.
std::string link_base(const http::request_header<>& req, bool tls, const link_settings& links);

/// Puts `base` in front of the path links of a response (Link, Location,
/// X-Execution-Status-Link).
void rebase_links(response& res, std::string_view base);

/// The caller's address: the peer, or behind a trusted proxy the last address the proxy added
/// to X-Forwarded-For (earlier ones the client may have written itself).
boost::asio::ip::address client_address(const http::request_header<>& req,
                                        const boost::asio::ip::address& peer,
                                        const link_settings& links);

}  // namespace ferry::ingress
