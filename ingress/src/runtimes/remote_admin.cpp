#include "runtimes/remote_admin.hpp"

#include <boost/json/parse.hpp>

#include "ferry/engine/intake/request_properties.hpp"
#include "ferry/engine/run/http_client.hpp"

namespace ferry::ingress {

std::string remote_answer::summary() const {
    if (status == 0) return problem;
    std::string out = std::to_string(status);
    if (json.is_object()) {
        const auto& o = json.get_object();
        if (const auto* e = o.if_contains("error"); e && e->is_string()) {
            out += " " + std::string(e->get_string());
        }
        if (const auto* d = o.if_contains("detail"); d && d->is_string()) {
            out += ": " + std::string(d->get_string());
        }
    }
    return out;
}

boost::asio::awaitable<remote_answer> call_runtime(const remote_runtime& runtime,
                                                   std::string method, std::string target,
                                                   std::string body, std::string content_type) {
    engine::http_request req;
    req.method = std::move(method);
    req.url = runtime.url + target;
    req.timeout = std::chrono::seconds(5);
    req.ca_file = runtime.ca_file;
    req.max_response_bytes = 8u << 20;
    if (!runtime.user.empty()) {
        req.headers.emplace_back(
            "Authorization", "Basic " + engine::base64_encode(runtime.user + ":" + runtime.token));
    }
    if (req.method != "GET") {
        req.has_body = true;
        req.body = std::move(body);
        if (!content_type.empty()) req.headers.emplace_back("Content-Type", content_type);
    }
    const auto fetched = co_await engine::http_fetch(req);
    remote_answer out;
    if (!fetched) {
        out.problem = fetched.error();
        co_return out;
    }
    out.status = fetched->status;
    out.body = fetched->body;
    boost::system::error_code ec;
    out.json = boost::json::parse(out.body, ec);
    if (ec) out.json = nullptr;
    co_return out;
}

}  // namespace ferry::ingress
