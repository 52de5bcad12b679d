// The operator console over HTTP against the real binary (docs/console.md): admin
// authentication, the cross-site guard on the admin API, the live events stream, the history
// export, assets, and the filters and version endpoint the console relies on. The browser
// itself is tests/console/console.test.mjs.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>

#include "support/eventually.hpp"
#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/processes.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {

using test::basic;
using test::ferry_command;

// Reads what a streaming answer (no Content-Length) sends until `enough` says so or 10 s pass.
std::string read_stream(std::uint16_t port, const std::string& target,
                        const std::function<bool(const std::string&)>& enough) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(request));
    std::string received;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    socket.non_blocking(true);
    char chunk[4096];
    while (!enough(received) && std::chrono::steady_clock::now() < deadline) {
        boost::system::error_code ec;
        const auto n = socket.read_some(boost::asio::buffer(chunk), ec);
        if (ec == boost::asio::error::would_block) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        if (ec) break;
        received.append(chunk, n);
    }
    return received;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

class ConsoleTest : public ::testing::Test {
protected:
    void SetUp() override { processes_.write("echo.yaml", test::echo_process()); }

    std::unique_ptr<test::server_process> serve(std::vector<std::string> args = {}) {
        return std::make_unique<test::server_process>(processes_.str(), data_.str(),
                                                      std::move(args));
    }

    test::temp_dir processes_;
    test::temp_dir data_;
};

// The console is behind admin authentication like the admin API: a browser is asked for
// Basic credentials, a user without --admin is refused, an admin sees the page.
TEST_F(ConsoleTest, PagesNeedAnAdminUser) {
    const auto users = "--data " + data_.str();
    const auto ops = ferry_command("user add ops --admin " + users).value_or("");
    const auto alice = ferry_command("user add alice " + users).value_or("");
    ASSERT_EQ(ops.size(), 64u);
    const auto server = serve({"--auth", "basic"});
    const auto anonymous = test::http_request(server->port(), "GET", "/_console/");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.header("WWW-Authenticate"), "Basic realm=\"ferry\", charset=\"UTF-8\"");
    EXPECT_EQ(
        test::http_request(server->port(), "GET", "/_console/", "", basic("alice", alice)).status,
        403);
    const auto page =
        test::http_request(server->port(), "GET", "/_console/", "", basic("ops", ops));
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(page.header("Content-Security-Policy"),
              "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    EXPECT_EQ(page.header("X-Frame-Options"), "DENY");
    EXPECT_NE(page.body.find("<span class=\"version\">"), std::string::npos);
    EXPECT_NE(page.body.find(" · ops</span>"), std::string::npos);  // who is signed in
    // Even the assets and the redirect need the admin user.
    EXPECT_EQ(test::http_request(server->port(), "GET", "/_console/assets/console.js").status, 401);
}

// A state-changing admin request from a browser must come from this server's own origin with
// the console's header; clients that are not browsers (no Origin, no Sec-Fetch-Site) are not
// affected.
TEST_F(ConsoleTest, BrowsersChangeStateOnlyFromTheConsole) {
    const auto server = serve();
    const auto port = server->port();
    const std::string own = "http://127.0.0.1:" + std::to_string(port);
    const auto pause = [&](std::map<std::string, std::string> headers) {
        headers.emplace("Host", "127.0.0.1:" + std::to_string(port));
        return test::http_request(port, "POST", "/_admin/listeners/echo/pause", "", headers);
    };
    const auto refused = [](const test::http_reply& r) {
        return r.status == 403 &&
               boost::json::parse(r.body).at("error").as_string() == "cross_site_request";
    };
    EXPECT_TRUE(refused(pause({{"Origin", "http://evil.example"}, {"X-Ferry-Console", "1"}})));
    EXPECT_TRUE(refused(pause({{"Origin", "null"}, {"X-Ferry-Console", "1"}})));
    EXPECT_TRUE(refused(pause({{"Sec-Fetch-Site", "cross-site"}})));
    EXPECT_TRUE(refused(pause({{"Sec-Fetch-Site", "same-site"}, {"X-Ferry-Console", "1"}})));
    // Same origin, but a plain form (no console header) cannot.
    const auto form = pause({{"Origin", own}, {"Sec-Fetch-Site", "same-origin"}});
    EXPECT_TRUE(refused(form));
    EXPECT_NE(form.body.find("X-Ferry-Console"), std::string::npos);
    auto listeners = boost::json::parse(test::http_request(port, "GET", "/_admin/listeners").body);
    EXPECT_EQ(listeners.at("listeners").at(0).at("state").as_string(), "listening");
    // The console's script: same origin and the header.
    const auto console =
        pause({{"Origin", own}, {"Sec-Fetch-Site", "same-origin"}, {"X-Ferry-Console", "1"}});
    EXPECT_EQ(console.status, 200) << console.body;
    // The CLI, curl: neither header.
    EXPECT_EQ(test::http_request(port, "POST", "/_admin/listeners/echo/resume").status, 200);
    // Reading is never guarded (links from other sites open pages).
    EXPECT_EQ(
        test::http_request(port, "GET", "/_console/listeners", "",
                           {{"Origin", "http://evil.example"}, {"Sec-Fetch-Site", "cross-site"}})
            .status,
        200);
}

// /_console/events sends the live figures as server-sent events, one a second.
TEST_F(ConsoleTest, LiveEventsStreamFigures) {
    const auto server = serve();
    const auto received = read_stream(server->port(), "/_console/events", [](const auto& text) {
        return count(text, "event: figures") >= 2;
    });
    ASSERT_GE(count(received, "event: figures"), 2u) << received;
    EXPECT_NE(received.find("Content-Type: text/event-stream"), std::string::npos);
    const auto data = received.find("data: ");
    const auto line_end = received.find('\n', data);
    const auto figures = boost::json::parse(received.substr(data + 6, line_end - data - 6));
    for (const char* field : {"requests_per_second", "errors_per_second", "p99_ms", "queued",
                              "running", "operations", "disk_free"}) {
        EXPECT_TRUE(figures.as_object().contains(field)) << field;
    }
    // The server still answers others meanwhile and after.
    EXPECT_EQ(test::http_request(server->port(), "GET", "/_admin/status").status, 200);
}

// The history export streams every matching execution as CSV or NDJSON, past the admin API's
// page size; a bad filter is an error, not an empty file.
TEST_F(ConsoleTest, ExportStreamsEveryMatchingExecution) {
    processes_.write("store.yaml", R"(name: keep
mode: general
listen: {type: create, object: Thing, input: single_data, output: none}
steps:
  - message: {template: "{1}", variables: [current_data]}
)");
    const auto server = serve();
    constexpr int posts = 1203;  // more than one admin page (1000)
    test::http_session session(server->port());
    for (int i = 0; i < posts; ++i) {
        ASSERT_EQ(session.request("POST", "/ws/simple/createThing", "t" + std::to_string(i)).status,
                  202);
    }
    ASSERT_TRUE(test::eventually([&] {
        const auto page = boost::json::parse(
            test::http_request(server->port(), "GET",
                               "/_admin/executions?process=keep&state=succeeded&limit=1000&cursor=")
                .body);
        return page.at("next_cursor").is_string();
    }));
    const auto csv = test::http_request(server->port(), "GET",
                                        "/_console/executions/export?format=csv&process=keep");
    ASSERT_EQ(csv.status, 200);
    EXPECT_EQ(csv.header("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_EQ(csv.header("Content-Disposition"), "attachment; filename=\"executions.csv\"");
    EXPECT_EQ(csv.body.rfind("id,process,process_version,state,", 0), 0u);
    EXPECT_EQ(count(csv.body, "\r\n"), static_cast<std::size_t>(posts) + 1);
    EXPECT_EQ(count(csv.body, ",keep,1,"), static_cast<std::size_t>(posts));
    const auto ndjson = test::http_request(
        server->port(), "GET", "/_console/executions/export?format=ndjson&process=keep");
    ASSERT_EQ(ndjson.status, 200);
    EXPECT_EQ(count(ndjson.body, "\n"), static_cast<std::size_t>(posts));
    EXPECT_EQ(boost::json::parse(ndjson.body.substr(0, ndjson.body.find('\n'))).at("process"),
              "keep");
    EXPECT_EQ(test::http_request(server->port(), "GET",
                                 "/_console/executions/export?format=csv&state=sideways")
                  .status,
              400);
    EXPECT_EQ(
        test::http_request(server->port(), "GET", "/_console/executions/export?format=xls").status,
        400);
}

// The assets are in the binary, typed so that browsers run them; the version endpoint the
// diff page reads; an unknown page or asset is 404.
TEST_F(ConsoleTest, AssetsAndDefinitionsAreServed) {
    const auto server = serve();
    const auto port = server->port();
    const auto script = test::http_request(port, "GET", "/_console/assets/console.js");
    ASSERT_EQ(script.status, 200);
    EXPECT_EQ(script.header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_NE(script.body.find("X-Ferry-Console"), std::string::npos);
    EXPECT_EQ(
        test::http_request(port, "GET", "/_console/assets/console.css").header("Content-Type"),
        "text/css; charset=utf-8");
    EXPECT_EQ(test::http_request(port, "GET", "/_console/assets/nothing.js").status, 404);
    EXPECT_EQ(test::http_request(port, "GET", "/_console/nothing").status, 404);
    const auto redirect = test::http_request(port, "GET", "/_console");
    EXPECT_EQ(redirect.status, 302);
    EXPECT_EQ(redirect.header("Location"), "/_console/");
    const auto version = test::http_request(port, "GET", "/_admin/processes/echo/versions/1");
    ASSERT_EQ(version.status, 200) << version.body;
    const auto body = boost::json::parse(version.body);
    EXPECT_EQ(std::string(body.at("definition").as_string()), test::echo_process());
    EXPECT_EQ(body.at("active"), true);
    EXPECT_EQ(test::http_request(port, "GET", "/_admin/processes/echo/versions/9").status, 404);
}

// The history filters the console offers beyond the admin API's first ones: correlation id,
// replay_of and sent_by, on the JSON API too.
TEST_F(ConsoleTest, HistoryFiltersByCorrelationIdAndReplayOf) {
    processes_.write("store.yaml", R"(name: keep
mode: general
listen: {type: create, object: Thing, input: single_data, output: none}
steps:
  - message: {template: "{1}", variables: [current_data]}
)");
    const auto server = serve();
    const auto port = server->port();
    const auto posted = test::http_request(port, "POST", "/ws/simple/createThing", "x",
                                           {{"X-Correlation-Id", "order-77"}});
    ASSERT_EQ(posted.status, 202);
    test::http_request(port, "POST", "/ws/simple/createThing", "y",
                       {{"X-Correlation-Id", "other"}});
    const auto id = std::string(boost::json::parse(posted.body).at("execution_id").as_string());
    ASSERT_TRUE(test::eventually([&] {
        return test::http_request(port, "GET", "/_admin/executions/" + id).body.find("succeeded") !=
               std::string::npos;
    }));
    const auto by_correlation = boost::json::parse(
        test::http_request(port, "GET", "/_admin/executions?correlation_id=order-77").body);
    ASSERT_EQ(by_correlation.at("executions").as_array().size(), 1u);
    EXPECT_EQ(by_correlation.at("executions").at(0).at("id").as_string(), id);
    EXPECT_EQ(by_correlation.at("executions").at(0).at("correlation_id"), "order-77");
    const auto replayed = test::http_request(port, "POST", "/_admin/executions/" + id + "/replay");
    ASSERT_EQ(replayed.status, 202);
    const auto replays = boost::json::parse(
        test::http_request(port, "GET", "/_admin/executions?replay_of=" + id).body);
    ASSERT_EQ(replays.at("executions").as_array().size(), 1u);
    EXPECT_EQ(replays.at("executions").at(0).at("replay_of").as_string(), id);
    // The console's page shows the same rows.
    const auto page = test::http_request(port, "GET", "/_console/executions?replay_of=" + id);
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(count(page.body, "<tr><td><input type=\"checkbox\" class=\"select\""), 1u);
    // An id goes to its execution's page.
    const auto go = test::http_request(port, "GET", "/_console/executions?id=" + id);
    EXPECT_EQ(go.status, 302);
    EXPECT_EQ(go.header("Location"), "/_console/executions/" + id);
}

// Another runtime registered here: its overview and listeners read from its own admin API with
// the credentials given, a version deployed there from here, and what goes wrong said plainly.
TEST_F(ConsoleTest, OtherRuntimesAreManagedFromHere) {
    processes_.write("store.yaml", R"(name: keep
mode: general
listen: {type: create, object: Thing, input: single_data, output: none}
steps:
  - message: {template: "{1}", variables: [current_data]}
)");
    const auto here = serve();
    // The other runtime: only echo deployed, admin endpoints behind an admin user.
    test::temp_dir remote_processes;
    test::temp_dir remote_data;
    remote_processes.write("echo.yaml", test::echo_process());
    const auto token =
        ferry_command("user add ops --admin --data " + remote_data.str()).value_or("");
    ASSERT_EQ(token.size(), 64u);
    test::server_process remote(remote_processes.str(), remote_data.str(),
                                {"--admin-auth", "basic"});
    const auto port = here->port();
    const auto remote_url = "http://127.0.0.1:" + std::to_string(remote.port());
    const auto add = [&](const std::string& name, const std::string& url,
                         const std::string& secret) {
        return test::http_request(
            port, "POST", "/_admin/runtimes",
            boost::json::serialize(boost::json::object{
                {"name", name}, {"url", url}, {"user", "ops"}, {"token", secret}}));
    };
    const auto added = add("production", remote_url, token);
    ASSERT_EQ(added.status, 201) << added.body;
    EXPECT_EQ(added.body.find(token), std::string::npos);  // the token is never shown
    const auto file = data_.path() / "runtimes.json";
    ASSERT_TRUE(std::filesystem::exists(file));
    EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(add("production", remote_url, token).status, 409);
    EXPECT_EQ(add("ftp", "ftp://x", token).status, 400);
    EXPECT_EQ(test::http_request(port, "GET", "/_admin/runtimes").body.find(token),
              std::string::npos);

    // Its overview, as it answers with the credentials.
    const auto overview = boost::json::parse(
        test::http_request(port, "GET", "/_admin/runtimes/production/overview").body);
    EXPECT_EQ(overview.at("reachable"), true);
    EXPECT_EQ(overview.at("status").at("status"), "listening");
    EXPECT_EQ(overview.at("listeners").at(0).at("process"), "echo");
    EXPECT_TRUE(overview.at("error").is_null());
    const auto page = test::http_request(port, "GET", "/_console/runtimes/production");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("/ws/simple/executeEcho"), std::string::npos);
    const auto list = test::http_request(port, "GET", "/_console/runtimes");
    EXPECT_NE(list.body.find("1 listening"), std::string::npos);

    // A version known here, deployed there.
    const auto deployed = test::http_request(
        port, "POST", "/_admin/runtimes/production/deploy?process=keep&version=1");
    ASSERT_EQ(deployed.status, 201) << deployed.body;
    EXPECT_EQ(deployed.header("X-Ferry-Runtime"), "production");
    const auto there = boost::json::parse(
        test::http_request(remote.port(), "GET", "/_admin/processes", "", basic("ops", token))
            .body);
    bool found = false;
    for (const auto& p : there.at("processes").as_array()) {
        found = found || (p.at("process") == "keep" && p.at("active") == true);
    }
    EXPECT_TRUE(found) << there;
    EXPECT_EQ(test::http_request(port, "POST",
                                 "/_admin/runtimes/production/deploy?process=keep&version=1")
                  .status,
              200);  // already there: unchanged
    EXPECT_EQ(test::http_request(port, "POST",
                                 "/_admin/runtimes/production/deploy?process=keep&version=7")
                  .status,
              404);

    // Wrong credentials, and a runtime nobody answers for: said, not hidden.
    ASSERT_EQ(add("wrong", remote_url, std::string(64, '0')).status, 201);
    const auto wrong =
        boost::json::parse(test::http_request(port, "GET", "/_admin/runtimes/wrong/overview").body);
    EXPECT_EQ(wrong.at("reachable"), true);
    EXPECT_NE(std::string(wrong.at("error").as_string()).find("401"), std::string::npos) << wrong;
    EXPECT_EQ(
        test::http_request(port, "POST", "/_admin/runtimes/wrong/deploy?process=keep&version=1")
            .status,
        401);
    ASSERT_EQ(add("gone", "http://127.0.0.1:" + std::to_string(test::free_port()), token).status,
              201);
    const auto gone =
        boost::json::parse(test::http_request(port, "GET", "/_admin/runtimes/gone/overview").body);
    EXPECT_EQ(gone.at("reachable"), false);
    EXPECT_FALSE(gone.at("error").as_string().empty());
    const auto unreachable =
        test::http_request(port, "POST", "/_admin/runtimes/gone/deploy?process=keep&version=1");
    EXPECT_EQ(unreachable.status, 502);
    EXPECT_NE(unreachable.body.find("runtime_unreachable"), std::string::npos);

    EXPECT_EQ(test::http_request(port, "DELETE", "/_admin/runtimes/gone").status, 200);
    EXPECT_EQ(test::http_request(port, "DELETE", "/_admin/runtimes/gone").status, 404);
    EXPECT_EQ(test::http_request(port, "GET", "/_admin/runtimes/gone/overview").status, 404);
}

}  // namespace ferry
