#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/url/url_view.hpp>
#include <optional>
#include <string>

#include "routes.hpp"
#include "services/web_service_call.hpp"

namespace ferry::ingress {

/// Resolves a request for `/ws/rest/...` to its API route (docs/apis.md, "Dispatch"), before
/// its body is read: sets the call's operation, the process serving it and what the process
/// learns (param_<name>, inpath from the base path on, inheader_<name> for the API's headers,
/// api, api_version). The refusal when there is no such route: 404 (naming the API whose base
/// path matched), 405 with Allow, or 410 api_sunset for a version past its sunset date.
std::optional<response> route_rest_call(simple_call& call,
                                        const boost::beast::http::request_header<>& req,
                                        const boost::urls::url_view& target, service& svc);

/// Resolves `/ws/soap/<base path>` (and soap12) to the API serving that base path, before the
/// body is read: 404 when none does or it has no SOAP operations, 410 past its sunset.
std::optional<response> route_api_soap_call(simple_call& call, std::string_view base_path,
                                            const boost::beast::http::request_header<>& req,
                                            service& svc);

/// A deprecated API version's responses say so: `Deprecation`, `Sunset` (RFC 8594) and
/// `Link: <...>; rel="successor-version"` (RFC 5829). Nothing for a current version.
void add_deprecation_headers(response& res, const engine::api_definition& api);

/// Whether `api` is past its sunset date (UTC days): its calls answer 410 api_sunset.
bool past_sunset(const engine::api_definition& api);

}  // namespace ferry::ingress
