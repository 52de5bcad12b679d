#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/url/url_view.hpp>
#include <string>
#include <string_view>

#include "ferry/engine/gateway.hpp"
#include "http/route_table.hpp"

namespace ferry::ingress {

/// A request for `/ws/simple/<operation>`, a SOAP endpoint or an API's REST route: the operation
/// and what the process learns of the request (inmethod, inpath, query_*, param_*; inuser once
/// admitted).
struct simple_call {
    web_service protocol = web_service::simple;
    std::string operation;  // "" for SOAP until the body names it
    store::properties process_props;
    std::string matrix_auth;  // the ;auth=<base64(user:token)> parameter, "" when absent
    std::string base_url;     // SOAP, REST: what the WSDL's and OpenAPI's addresses start with
    /// The process serving the operation, looked up once per request by the connection.
    engine::gateway::served_operation served;
    /// REST: the API route the path reached (route_rest_call).
    std::optional<engine::api_match> api;
    /// REST: the API whose OpenAPI document is asked for (GET <base path>/openapi.json or
    /// openapi.yaml), in YAML or JSON.
    std::shared_ptr<const engine::api_definition> openapi_of;
    bool openapi_yaml = false;
    /// SOAP at /ws/soap/<base path>: the API whose SOAP operations alone it serves.
    std::shared_ptr<const engine::api_definition> soap_api;
};

/// The call a web-service route's request makes, from its parsed target: `operation` is the
/// route's {operation} ("" for SOAP) and `matrix` the path's matrix parameters (";auth=...").
/// Built once per request, before the body is read (admission needs it).
simple_call make_web_service_call(web_service protocol,
                                  const boost::beast::http::request_header<>& req,
                                  const boost::urls::url_view& target, std::string_view operation,
                                  std::string_view matrix);

}  // namespace ferry::ingress
