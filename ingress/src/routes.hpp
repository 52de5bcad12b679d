#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/url_view.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/route_table.hpp"
#include "services/web_service_call.hpp"

namespace ferry::ingress {

struct service;
using request = boost::beast::http::request<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;

/// A response written piece by piece, straight to the connection (server-sent events). A
/// handler that writes to it writes the status line and header too; the connection closes
/// once the handler returns, and writes nothing of the response it returns.
class response_stream {
public:
    virtual ~response_stream() = default;
    /// False once the client is gone (or did not read within the idle timeout).
    virtual boost::asio::awaitable<bool> write(std::string_view bytes) = 0;
    bool started() const { return started_; }

protected:
    bool started_ = false;
};

/// A request on its way to its route's handler: everything the connection already parsed, so
/// that no handler parses the target again.
struct routed_request {
    request req;
    // The parsed target (path() percent-decoded, params() the query): a view into req's own
    // target, which a request carries with it when moved (Beast steals the header's storage;
    // RoutedRequestTest checks it), so no request pays for a copy.
    boost::urls::url_view target;
    path_params params;               // the route's {name} segments
    std::string user;                 // who admit() let in ("" when nobody was identified)
    std::optional<simple_call> call;  // web-service routes only
    service& svc;
    response_stream* stream{};  // the connection's, for handlers that stream their answer

    /// The {name} segment of the route's pattern ("" when it has none of that name).
    const std::string& param(std::string_view name) const;
};

using route_handler = std::function<boost::asio::awaitable<response>(routed_request)>;
using routes = route_table<route_handler>;
using matched_route = route_match<route_handler>;

/// Every endpoint of the server: the web services (/ws/simple, /ws/soap, /ws/soap12), the admin
/// API (/_admin/...) and /metrics, each with its method, role and handler.
routes make_routes();

}  // namespace ferry::ingress
