#include "responses.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace ferry::ingress {

response json_response(http::status status, std::string body, unsigned version, bool keep_alive) {
    response res{status, version};
    res.set(http::field::server, "ferry");
    res.set(http::field::content_type, "application/json");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

response error_response(http::status status, std::string_view error, std::string_view detail,
                        unsigned version, bool keep_alive) {
    boost::json::object body;
    body["error"] = error;
    body["detail"] = detail;
    return json_response(status, boost::json::serialize(body), version, keep_alive);
}

}  // namespace ferry::ingress
