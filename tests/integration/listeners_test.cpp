// Ports of the web server (issue 6): several listeners, plain and HTTPS with certificates made
// by openssl at test time, client certificates mapped to users, an admin-only port, IPv6
// callers, and generated links behind a proxy.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/https_client.hpp"
#include "support/processes.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

namespace ferry {
namespace {

using test::basic;
using test::ferry_command;

constexpr auto whoami_process = R"(name: whoami
listen: {type: get, object: Me, input: none, output: single_data}
steps:
  - message: {template: "{1}", variables: [{process_property: inuser}]}
  - return: {}
)";

std::string port_text(std::uint16_t port) { return std::to_string(port); }

}  // namespace

class ListenersTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("echo.yaml", test::echo_process());
        processes_.write("whoami.yaml", whoami_process);
        pki_ = std::make_unique<test::test_pki>(certs_.str());
    }

    std::string https_listener(std::uint16_t port, bool client_ca, const std::string& extra = "") {
        return "https://127.0.0.1:" + port_text(port) + "?cert=" + pki_->server_cert() +
               "&key=" + pki_->server_key() + (client_ca ? "&client_ca=" + pki_->ca_file() : "") +
               extra;
    }

    test::tls_client as(const std::string& name) const {
        return {pki_->ca_file(), name.empty() ? "" : pki_->cert(name),
                name.empty() ? "" : pki_->key(name)};
    }

    std::unique_ptr<test::server_process> serve(std::vector<std::string> args) {
        return std::make_unique<test::server_process>(processes_.str(), data_.str(),
                                                      std::move(args));
    }

    test::temp_dir processes_;
    test::temp_dir data_;
    test::temp_dir certs_;
    std::unique_ptr<test::test_pki> pki_;
};

// One server, a plain and an HTTPS port: the same operations on both; plain HTTP spoken to
// the HTTPS port gets no HTTP answer, and a client that does not trust the server's CA fails
// its handshake.
TEST_F(ListenersTest, PlainAndHttpsPortsServeTheSameOperations) {
    const auto tls_port = test::free_port();
    auto server = serve({"--header-timeout-ms", "1000", "--listen", "http://127.0.0.1:0",
                         "--listen", https_listener(tls_port, false)});
    const auto plain = test::http_request(server->port(), "POST", "/ws/simple/executeEcho", "hi");
    EXPECT_EQ(plain.status, 200);
    EXPECT_EQ(plain.body, "hi");

    std::string error;
    const auto secure = test::https_request(tls_port, as(""), "POST", "/ws/simple/executeEcho",
                                            "over tls", {}, &error);
    ASSERT_EQ(secure.status, 200) << error;
    EXPECT_EQ(secure.body, "over tls");

    // Many requests on one TLS connection would be the norm; a second connection must work
    // after the first closed with close_notify.
    EXPECT_EQ(test::https_request(tls_port, as(""), "GET", "/_admin/status").status, 200);

    EXPECT_EQ(test::http_request(tls_port, "POST", "/ws/simple/executeEcho", "x").status, 0);

    test::temp_dir other;
    test::test_pki stranger(other.str());
    const auto refused = test::https_request(tls_port, {stranger.ca_file(), "", ""}, "GET",
                                             "/_admin/status", "", {}, &error);
    EXPECT_EQ(refused.status, 0);
    EXPECT_NE(error.find("handshake"), std::string::npos) << error;

    // A client that connects and never starts its handshake is closed at the header timeout.
    const auto silent_since = std::chrono::steady_clock::now();
    EXPECT_EQ(test::raw_exchange(tls_port, "", 8000), "");
    EXPECT_LT(std::chrono::steady_clock::now() - silent_since, std::chrono::seconds(6));

    // The server is still serving after handshakes that went wrong.
    EXPECT_EQ(test::https_request(tls_port, as(""), "GET", "/_admin/status").status, 200);
    const auto metrics = test::http_request(server->port(), "GET", "/metrics");
    EXPECT_NE(metrics.body.find("ferry_tls_handshake_failures_total"), std::string::npos);
}

// Under client_cert authentication the certificate names the user: by its subject, or by its
// CN when the user has no subject set. Without a certificate, with one no CA vouches for, or
// with one that names nobody, the call is 401; IP lists and allowed operations still apply.
TEST_F(ListenersTest, ClientCertificatesIdentifyUsers) {
    const auto users = " --data " + data_.str();
    ASSERT_TRUE(ferry_command("user add alice" + users));
    ASSERT_TRUE(ferry_command("user add bob --certificate-subject CN=robert,O=Example" + users));
    ASSERT_TRUE(ferry_command("user add far --ip 10.0.0.0/8" + users));
    ASSERT_TRUE(ferry_command("user add echoer --operation executeEcho" + users));
    pki_->issue_client("alice", "/CN=alice");
    pki_->issue_client("robert", "/O=Example/CN=robert");
    pki_->issue_client("far", "/CN=far");
    pki_->issue_client("echoer", "/CN=echoer");
    pki_->issue_client("mallory", "/CN=mallory");
    pki_->self_signed_client("fake-alice", "/CN=alice");

    const auto tls_port = test::free_port();
    auto server = serve({"--auth", "client_cert", "--listen", "http://127.0.0.1:0", "--listen",
                         https_listener(tls_port, true)});
    const auto call = [&](const std::string& who, const std::string& operation) {
        std::string error;
        auto reply = test::https_request(tls_port, as(who), "POST", "/ws/simple/" + operation, "",
                                         {}, &error);
        EXPECT_NE(reply.status, 0) << who << ": " << error;
        return reply;
    };

    const auto alice = call("alice", "getMe");
    EXPECT_EQ(alice.status, 200);
    EXPECT_EQ(alice.body, "alice");
    const auto bob = call("robert", "getMe");
    EXPECT_EQ(bob.status, 200);
    EXPECT_EQ(bob.body, "bob");

    const auto nobody = call("", "getMe");
    EXPECT_EQ(nobody.status, 401);
    EXPECT_EQ(boost::json::parse(nobody.body).at("error"), "client_certificate_required");
    EXPECT_TRUE(nobody.header("WWW-Authenticate").empty());
    const auto fake = call("fake-alice", "getMe");
    const auto unknown = call("mallory", "getMe");
    EXPECT_EQ(fake.status, 401);
    EXPECT_EQ(boost::json::parse(fake.body).at("error"), "invalid_client_certificate");
    EXPECT_EQ(unknown.status, 401);
    EXPECT_EQ(unknown.body, fake.body) << "an unknown subject reads like an untrusted one";

    EXPECT_EQ(call("far", "getMe").status, 403);
    EXPECT_EQ(call("echoer", "getMe").status, 403);
    EXPECT_EQ(call("echoer", "executeEcho").status, 200);

    // The plain port has no certificates to offer: nobody is identified there.
    const auto plain = test::http_request(server->port(), "POST", "/ws/simple/getMe", "",
                                          basic("alice", "anything"));
    EXPECT_EQ(plain.status, 401);
    EXPECT_EQ(boost::json::parse(plain.body).at("error"), "client_certificate_required");
}

// client_cert authentication without a listener that asks for certificates is a start-up
// error, not a server where every call is 401.
TEST_F(ListenersTest, ClientCertAuthNeedsAListenerWithAClientCa) {
    EXPECT_THROW(serve({"--auth", "client_cert"}), std::runtime_error);
    EXPECT_THROW(serve({"--listen", "https://127.0.0.1:0?cert=/nonexistent.pem&key=/x.key"}),
                 std::runtime_error);
    EXPECT_THROW(serve({"--listen", "ftp://127.0.0.1:0"}), std::runtime_error);
}

// The admin API on its own port with its own authentication; the services port does not
// serve it, the admin port serves no web services, and the status answers on both.
TEST_F(ListenersTest, AdminApiOnItsOwnPort) {
    const auto users = " --data " + data_.str();
    const auto ops = ferry_command("user add ops --admin" + users).value_or("");
    const auto alice = ferry_command("user add alice" + users).value_or("");
    ASSERT_FALSE(ops.empty());
    const auto admin_port = test::free_port();
    auto server = serve({"--auth", "none", "--admin-auth", "basic", "--listen",
                         "http://127.0.0.1:0?role=services", "--listen",
                         "http://127.0.0.1:" + port_text(admin_port) + "?role=admin"});
    const auto services = server->port();

    // Web services need no credentials here (--auth none).
    const auto posted =
        test::http_request(services, "POST", "/ws/simple/executeEcho", "x", {{"X-Debug", "true"}});
    ASSERT_EQ(posted.status, 200);
    const auto execution = posted.header("X-Execution-Id");
    ASSERT_FALSE(execution.empty());

    const auto hidden = test::http_request(services, "GET", "/_admin/executions/" + execution, "",
                                           basic("ops", ops));
    EXPECT_EQ(hidden.status, 404);
    EXPECT_NE(hidden.body.find("only the web services"), std::string::npos) << hidden.body;
    EXPECT_EQ(test::http_request(services, "GET", "/metrics").status, 404);
    EXPECT_EQ(test::http_request(admin_port, "POST", "/ws/simple/executeEcho", "x").status, 404);

    EXPECT_EQ(test::http_request(admin_port, "GET", "/_admin/executions/" + execution).status, 401);
    EXPECT_EQ(test::http_request(admin_port, "GET", "/_admin/executions/" + execution, "",
                                 basic("alice", alice))
                  .status,
              403);
    const auto shown = test::http_request(admin_port, "GET", "/_admin/executions/" + execution, "",
                                          basic("ops", ops));
    EXPECT_EQ(shown.status, 200) << shown.body;
    EXPECT_EQ(test::http_request(admin_port, "GET", "/metrics", "", basic("ops", ops)).status, 200);

    EXPECT_EQ(test::http_request(services, "GET", "/_admin/status").status, 200);
    EXPECT_EQ(test::http_request(admin_port, "GET", "/_admin/status").status, 200);
}

// An IPv6 listener: a caller from ::1 is checked against IPv6 ranges, and an IPv4-only
// allow-list refuses it.
TEST_F(ListenersTest, Ipv6CallersAreCheckedAgainstTheirOwnAddress) {
    {
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor probe(io);
        boost::system::error_code ec;
        probe.open(boost::asio::ip::tcp::v6(), ec);
        if (!ec) probe.bind({boost::asio::ip::make_address("::1"), 0}, ec);
        if (ec) GTEST_SKIP() << "this machine has no IPv6 loopback: " << ec.message();
    }
    const auto users = " --data " + data_.str();
    const auto v4 = ferry_command("user add v4 --ip 127.0.0.1" + users).value_or("");
    const auto v6 = ferry_command("user add v6 --ip ::1/128" + users).value_or("");
    const auto v6_port = test::free_port();
    auto server = serve({"--auth", "basic", "--listen", "http://127.0.0.1:0", "--listen",
                         "http://[::1]:" + port_text(v6_port)});
    const auto from_v6 = [&](const std::string& user, const std::string& token) {
        return test::http_request_at("::1", v6_port, "POST", "/ws/simple/getMe", "",
                                     basic(user, token));
    };
    const auto refused = from_v6("v4", v4);
    EXPECT_EQ(refused.status, 403);
    EXPECT_NE(refused.body.find("::1"), std::string::npos) << refused.body;
    const auto allowed = from_v6("v6", v6);
    EXPECT_EQ(allowed.status, 200);
    EXPECT_EQ(allowed.body, "v6");
    // And the other way round on the IPv4 port.
    EXPECT_EQ(
        test::http_request(server->port(), "POST", "/ws/simple/getMe", "", basic("v4", v4)).status,
        200);
    EXPECT_EQ(
        test::http_request(server->port(), "POST", "/ws/simple/getMe", "", basic("v6", v6)).status,
        403);
}

// Behind a proxy (--trust-forwarded) links point at the URL the client called and the caller's
// address comes from X-Forwarded-For's last hop; without the switch both headers are ignored.
TEST_F(ListenersTest, ForwardedHeadersShapeLinksAndCallerAddress) {
    processes_.write("slow.yaml", test::slow_process(50));
    const auto users = " --data " + data_.str();
    const auto partner = ferry_command("user add partner --ip 203.0.113.7" + users).value_or("");
    const auto local = ferry_command("user add local --ip 127.0.0.1" + users).value_or("");
    auto server = serve({"--auth", "basic", "--trust-forwarded"});
    const auto port = server->port();

    auto headers = basic("partner", partner);
    headers["X-Forwarded-For"] = "198.51.100.1, 203.0.113.7";
    headers["X-Forwarded-Proto"] = "https";
    headers["X-Forwarded-Host"] = "api.example.com";
    headers["X-Forwarded-Prefix"] = "/ferry";
    headers["Prefer"] = "respond-async";
    const auto reply = test::http_request(port, "POST", "/ws/simple/createSlow", "{}", headers);
    ASSERT_EQ(reply.status, 202) << reply.body;
    const auto link = reply.header("X-Execution-Status-Link");
    EXPECT_TRUE(link.starts_with("https://api.example.com/ferry/_admin/executions/")) << link;

    headers.erase("X-Forwarded-Prefix");
    headers.erase("X-Forwarded-Host");
    headers["Host"] = "gateway.example.com:8443";
    headers["X-Request-Uri"] = "/partners/acme/ws/simple/createSlow";
    const auto via_uri = test::http_request(port, "POST", "/ws/simple/createSlow", "{}", headers);
    EXPECT_TRUE(via_uri.header("X-Execution-Status-Link")
                    .starts_with("https://gateway.example.com:8443/partners/acme/_admin/"))
        << via_uri.header("X-Execution-Status-Link");

    // The client wrote the first address itself; the proxy's last hop is what counts.
    headers["X-Forwarded-For"] = "203.0.113.7, 198.51.100.1";
    EXPECT_EQ(test::http_request(port, "POST", "/ws/simple/createSlow", "{}", headers).status, 403);

    server.reset();
    auto plain = serve({"--auth", "basic", "--external-url", "https://ferry.example.com/"});
    headers["X-Forwarded-For"] = "198.51.100.1, 203.0.113.7";
    const auto untrusted =
        test::http_request(plain->port(), "POST", "/ws/simple/createSlow", "{}", headers);
    EXPECT_EQ(untrusted.status, 403) << "X-Forwarded-For is ignored without --trust-forwarded";
    auto local_headers = basic("local", local);
    local_headers["Prefer"] = "respond-async";
    const auto external =
        test::http_request(plain->port(), "POST", "/ws/simple/createSlow", "{}", local_headers);
    EXPECT_TRUE(external.header("X-Execution-Status-Link")
                    .starts_with("https://ferry.example.com/_admin/executions/"))
        << external.header("X-Execution-Status-Link");
}

}  // namespace ferry
