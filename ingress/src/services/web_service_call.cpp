#include "services/web_service_call.hpp"

#include "ferry/engine/intake/request_properties.hpp"

namespace ferry::ingress {

simple_call make_web_service_call(web_service protocol,
                                  const boost::beast::http::request_header<>& req,
                                  const boost::urls::url_view& target, std::string_view operation,
                                  std::string_view matrix) {
    // SPEC §2: what the process learns about the request, as process properties.
    engine::request_facts facts;
    facts.method = std::string(req.method_string());
    for (const auto& param : target.params()) {
        facts.query.emplace_back(std::string(param.key), std::string(param.value));
    }
    simple_call call;
    call.protocol = protocol;
    call.operation = std::string(operation);
    // Matrix parameters (;auth= is a credential) stay out of inpath.
    if (!matrix.empty()) engine::split_matrix(matrix, facts.params, &call.matrix_auth);
    // REST: route_rest_call sets inpath once the route is known.
    facts.path = protocol == web_service::simple   ? "/ws/simple/" + call.operation
                 : protocol == web_service::soap11 ? "/ws/soap"
                 : protocol == web_service::soap12 ? "/ws/soap12"
                                                   : "";
    call.process_props = engine::process_properties(facts);
    return call;
}

}  // namespace ferry::ingress
