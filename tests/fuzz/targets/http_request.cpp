// An HTTP request as a ferry listener reads it, up to the point where it would be stored: the
// bytes through Beast's parser with the listener's header and body limits, the target parsed
// and matched against the server's route table (every endpoint, from make_routes), matrix
// parameters and `;auth=` credentials, Basic credentials, the CORS preflight, the cross-site
// guard, forwarded headers, transfer codings, the target's decoded text, the web-service call
// and its process properties, admission (users with tokens, IP allow-lists, operation and API
// limits, admin users; Basic or `;auth=`), and the body split as the operation's input type would
// split it.
// Every refusal the connection would send is serialised and must read back as one well-formed
// HTTP response (no header a request could inject a line into).
#include <openssl/evp.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <ferry/engine/intake/request_documents.hpp>
#include <ferry/engine/intake/request_properties.hpp>
#include <ferry/ingress/server_settings.hpp>
#include <sstream>

#include "access.hpp"
#include "fuzz_input.hpp"
#include "http/browser_guard.hpp"
#include "http/cors.hpp"
#include "http/links.hpp"
#include "http/request_checks.hpp"
#include "http/responses.hpp"
#include "routes.hpp"
#include "service.hpp"
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

std::string sha256_hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

ingress::user with_token(std::string name, std::string_view token) {
    ingress::user u;
    u.name = std::move(name);
    u.tokens.push_back({"t1", sha256_hex(token), 0});
    return u;
}

// The users a server would read from its users file, each with the token "<name>-token" (the
// dictionary holds their Basic and `;auth=` forms): an admin; a user limited to one operation
// and to 10.0.0.0/8 (reached only through a trusted X-Forwarded-For); one limited to an API;
// one every address is refused.
ingress::service& admitting_service() {
    static ferry::fuzz::input_file users_file(".users.json");
    static const auto svc = [] {
        ingress::user_directory users;
        auto alice = with_token("alice", "alice-token");
        alice.admin = true;
        auto bob = with_token("bob", "bob-token");
        bob.operations = {"orders"};
        bob.ip_allow = std::vector{*ingress::ip_range::parse("10.0.0.0/8")};
        auto carol = with_token("carol", "carol-token");
        carol.apis = {"shop"};
        auto dave = with_token("dave", "dave-token");
        dave.ip_allow = std::vector<ingress::ip_range>{};
        for (auto* u : {&alice, &bob, &carol, &dave}) users.add(std::move(*u));
        const auto& path = users_file.write({});
        if (!users.save(path)) invariant_broken("the fuzz users file cannot be written", path);
        auto s = std::make_unique<ingress::service>();
        s->users = std::make_shared<ingress::user_source>(path);
        return s;
    }();
    return *svc;
}

// Who may come in, decided from the header as the connection decides it: a refusal must be a
// response; under Basic authentication a caller let in is a known user.
bool admitted(const ingress::request& req, const std::optional<ingress::simple_call>& call,
              ingress::route_role role, const boost::asio::ip::address& from,
              std::uint8_t options) {
    auto& svc = admitting_service();
    svc.settings.auth =
        (options & 8) ? ingress::authentication::basic : ingress::authentication::none;
    svc.settings.admin_auth =
        (options & 16) ? ingress::authentication::basic : ingress::authentication::none;
    auto outcome = ingress::admit(req, call, role, ingress::request_source{from, nullptr}, svc);
    if (const auto* refused = std::get_if<ingress::response>(&outcome)) {
        must_serialise(*refused);
        return false;
    }
    const auto& user = std::get<ingress::caller>(outcome).user;
    const bool checked = (call && svc.settings.auth == ingress::authentication::basic) ||
                         (role == ingress::route_role::admin &&
                          svc.settings.admin_auth == ingress::authentication::basic);
    if (checked && !svc.users->current()->find(user)) {
        invariant_broken("a caller let in who is not a user", user);
    }
    if (call && checked) (void)ingress::may_call(svc, user, call->operation);
    return true;
}

void web_service_call(const ingress::request& req, const ingress::simple_call& call) {
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
    const auto from = ingress::client_address(req, peer, links);
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
    std::optional<ingress::simple_call> call;
    if (found.shape->service != ingress::web_service::none) {
        call = ingress::make_web_service_call(found.shape->service, req, *target,
                                              found.param("operation"), found.matrix);
    }
    if (!admitted(req, call, found.shape->role, from, options)) return 0;
    if (call && parser.is_done()) web_service_call(req, *call);
    return 0;
}
