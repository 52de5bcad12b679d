// An HTTP request as a ferry listener reads it, up to the point where it would be stored: the
// bytes through Beast's parser with the listener's header and body limits, the target parsed
// and matched against the server's route table (every endpoint, from make_routes), matrix
// parameters and `;auth=` credentials, Basic credentials, the CORS preflight, the cross-site
// guard, forwarded headers, transfer codings, the target's decoded text, the web-service call
// and its process properties, and the body split as the operation's input type would split it.
// Every refusal the connection would send is serialised and must read back as one well-formed
// HTTP response (no header a request could inject a line into).
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <ferry/engine/intake/request_documents.hpp>
#include <ferry/engine/intake/request_properties.hpp>
#include <ferry/ingress/server_settings.hpp>
#include <sstream>

#include "fuzz_input.hpp"
#include "http/browser_guard.hpp"
#include "http/cors.hpp"
#include "http/links.hpp"
#include "http/request_checks.hpp"
#include "http/responses.hpp"
#include "routes.hpp"
#include "services/submit_answers.hpp"

namespace {
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ingress = ferry::ingress;
namespace engine = ferry::engine;
using ferry::fuzz::invariant_broken;

// A response as it would go on the wire must read back as one response.
void must_serialise(const ingress::response& res) {
    std::ostringstream wire;
    wire << res;
    const auto bytes = wire.str();
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(64u << 20);
    beast::error_code ec;
    const auto used = parser.put(boost::asio::buffer(bytes), ec);
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    if (ec || !parser.is_done() || used != bytes.size()) {
        invariant_broken("a response that does not read back as one response", bytes);
    }
}

const std::vector<ingress::cors_rule>& cors_rules() {
    static const std::vector<ingress::cors_rule> rules = [] {
        ingress::cors_rule app;
        app.origin = "https://*.example.com";
        app.methods = {"GET", "POST", "PUT"};
        app.headers = {"Content-Type", "X-Trace"};
        app.credentials = true;
        ingress::cors_rule any;
        any.origin = "*";
        return std::vector{app, any};
    }();
    return rules;
}

constexpr engine::data_type input_types[] = {
    engine::data_type::none,        engine::data_type::single_data,
    engine::data_type::single_xml,  engine::data_type::multiple_xml,
    engine::data_type::single_json, engine::data_type::multiple_json,
    engine::data_type::multipart,   engine::data_type::ndjson};

void web_service_call(const ingress::request& req, const boost::urls::url_view& target,
                      const ingress::matched_route& found) {
    const auto call = ingress::make_web_service_call(found.shape->service, req, target,
                                                     found.param("operation"), found.matrix);
    if (!call.matrix_auth.empty()) (void)engine::decode_credentials(call.matrix_auth);
    for (const auto& [name, value] : call.process_props) {
        if (name.empty()) invariant_broken("a process property without a name");
    }
    for (const auto& [name, value] : ingress::request_header_properties(req)) {
        if (!name.starts_with("inheader_")) invariant_broken("a header property misnamed", name);
    }
    // The body as the operation's input type splits it (the type from the operation's name,
    // so that each name keeps its type from run to run).
    const auto input =
        input_types[std::hash<std::string>{}(call.operation) % std::size(input_types)];
    const auto documents =
        engine::split_request(input, req.body(), std::string_view(req[http::field::content_type]));
    if (!documents) must_serialise(ingress::input_error_response(documents.error(), req));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const ingress::routes routes = ingress::make_routes();
    static const ingress::server_settings limits;
    static const auto peer = boost::asio::ip::make_address("127.0.0.1");

    ferry::fuzz::fuzz_input in(data, size);
    const auto options = in.take_byte();
    const auto wire = in.rest();

    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    parser.body_limit(limits.body_limit);
    beast::error_code ec;
    std::size_t used = 0;
    while (!ec && !parser.is_done() && used < wire.size()) {
        const auto n = parser.put(boost::asio::buffer(wire.substr(used)), ec);
        if (n == 0 && !ec) break;
        used += n;
    }
    if (ec == http::error::need_more) ec = {};
    if (ec) {
        if (!ingress::is_parse_error(ec)) return 0;  // the connection would close quietly
        must_serialise(ingress::parse_failure(ec));
        return 0;
    }
    if (!parser.is_header_done()) return 0;  // the connection would wait for the rest
    const auto& req = parser.get();

    if (const auto refused = ingress::refuse_transfer_coding(req)) must_serialise(*refused);
    ingress::link_settings links;
    links.trust_forwarded = (options & 1) != 0;
    if (options & 2) links.external_base_url = "https://api.example.com/base";
    const bool tls = (options & 4) != 0;
    (void)ingress::client_address(req, peer, links);
    const auto base = ingress::link_base(req, tls, links);
    if (const auto refused = ingress::refuse_cross_site(req, tls, base)) must_serialise(*refused);
    (void)engine::basic_credentials(req[http::field::authorization]);
    (void)engine::basic_auth_user(req[http::field::authorization]);
    if (ingress::is_preflight(req)) must_serialise(ingress::answer_preflight(req, cors_rules()));
    (void)ingress::find_cors_rule(cors_rules(), req[http::field::origin]);

    const auto target = boost::urls::parse_origin_form(req.target());
    if (!target) return 0;
    if (const auto refused = ingress::refuse_target_text(*target, req)) {
        must_serialise(*refused);
        return 0;  // the connection answers this before any route sees the request
    }
    const auto found = routes.match(req.method(), target->path());
    if (!found.shape) {
        must_serialise(ingress::error_response(http::status::not_found, "not_found",
                                               "no endpoint at " + std::string(target->path()),
                                               req));
        return 0;
    }
    if (!found.found) {
        must_serialise(ingress::method_not_allowed(req, found.allow));
        return 0;
    }
    if (found.shape->service != ingress::web_service::none && parser.is_done()) {
        web_service_call(req, *target, found);
    }
    return 0;
}
