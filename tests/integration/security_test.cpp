// Authentication of the web server (issue 6): users and tokens made by the real `ferry user`
// command, Basic and ;auth= credentials, IP allow-lists tested from 127.0.0.2, allowed
// operations, and no body read before the caller is known.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <optional>
#include <thread>

#include "support/eventually.hpp"
#include "support/ferry_cli.hpp"
#include "support/http_client.hpp"
#include "support/processes.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
using test::base64;
using test::basic;
using test::ferry_command;

class SecurityTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("echo.yaml", test::echo_process());
        processes_.write("whoami.yaml", R"(name: whoami
listen: {type: get, object: Me, input: none, output: single_data}
steps:
  - message: {template: "{1}", variables: [{process_property: inuser}]}
  - return: {}
)");
        const auto users = "--data " + data_.str();
        alice_ = ferry_command("user add alice " + users).value_or("");
        local_ = ferry_command("user add local --ip 127.0.0.2 " + users).value_or("");
        echo_only_ = ferry_command("user add echoer --operation executeEcho " + users).value_or("");
        blocked_ = ferry_command("user add blocked --ip-filter " + users).value_or("");
        ops_ = ferry_command("user add ops --admin " + users).value_or("");
        for (const auto* token : {&alice_, &local_, &echo_only_, &blocked_, &ops_}) {
            ASSERT_EQ(token->size(), 64u);
        }
        EXPECT_FALSE(ferry_command("user add alice " + users));  // taken
        server_ = std::make_unique<test::server_process>(
            processes_.str(), data_.str(), std::vector<std::string>{"--auth", "basic"});
    }

    test::http_reply echo(const std::map<std::string, std::string>& headers,
                          const std::string& target = "/ws/simple/executeEcho") {
        return test::http_request(server_->port(), "POST", target, "ping", headers);
    }

    test::temp_dir processes_;
    test::temp_dir data_;
    std::string alice_, local_, echo_only_, blocked_, ops_;
    std::unique_ptr<test::server_process> server_;
};

// No credentials, an unknown user and a wrong token are all 401 with the same body; the
// right token is let in and the process sees the user.
TEST_F(SecurityTest, CredentialsAreCheckedWithoutTellingWhichPartWasWrong) {
    const auto none = echo({});
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.header("WWW-Authenticate"), "Basic realm=\"ferry\", charset=\"UTF-8\"");
    EXPECT_EQ(boost::json::parse(none.body).at("error").as_string(), "authentication_required");
    const auto unknown = echo(basic("mallory", alice_));
    const auto wrong = echo(basic("alice", std::string(64, '0')));
    EXPECT_EQ(unknown.status, 401);
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(unknown.body, wrong.body);
    const auto ok = echo(basic("alice", alice_));
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.body, "ping");
    const auto me =
        test::http_request(server_->port(), "POST", "/ws/simple/getMe", "", basic("alice", alice_));
    EXPECT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(me.body, "alice");
}

// Clients that cannot set headers put the credentials in a ;auth= matrix parameter, which
// never reaches the process as a parameter.
TEST_F(SecurityTest, MatrixAuthParameterStandsInForTheHeader) {
    const auto ok = test::http_request(server_->port(), "POST",
                                       "/ws/simple/getMe;auth=" + base64("alice:" + alice_), "");
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.body, "alice");
    const auto wrong = test::http_request(server_->port(), "POST",
                                          "/ws/simple/getMe;auth=" + base64("alice:nope"), "");
    EXPECT_EQ(wrong.status, 401);
}

// The IP allow-list: a user limited to 127.0.0.2 is refused from 127.0.0.1 (after its
// credentials were accepted: 403, not 401); a switched-on empty list blocks everything; the
// allowed operations come last.
TEST_F(SecurityTest, IpAllowListsAndAllowedOperations) {
    const auto from_one = echo(basic("local", local_));
    EXPECT_EQ(from_one.status, 403) << from_one.body;
    EXPECT_EQ(boost::json::parse(from_one.body).at("error").as_string(), "ip_not_allowed");
    const auto from_two =
        test::http_request_from("127.0.0.2", server_->port(), "POST", "/ws/simple/executeEcho",
                                "ping", basic("local", local_));
    EXPECT_EQ(from_two.status, 200) << from_two.body;
    EXPECT_EQ(echo(basic("blocked", blocked_)).status, 403);

    EXPECT_EQ(echo(basic("echoer", echo_only_)).status, 200);
    const auto other = test::http_request(server_->port(), "POST", "/ws/simple/getMe", "",
                                          basic("echoer", echo_only_));
    EXPECT_EQ(other.status, 403);
    EXPECT_EQ(boost::json::parse(other.body).at("error").as_string(), "operation_not_allowed");
    // An unauthenticated caller learns nothing about operations either.
    EXPECT_EQ(test::http_request(server_->port(), "POST", "/ws/simple/noSuchThing", "").status,
              401);
}

// Users change while the server runs: a new token works and a removed user is refused,
// without a restart.
TEST_F(SecurityTest, UserChangesTakeEffectWithoutRestart) {
    const auto second = ferry_command("user token alice --data " + data_.str()).value_or("");
    ASSERT_EQ(second.size(), 64u);
    ASSERT_TRUE(ferry_command("user remove local --data " + data_.str()));
    EXPECT_FALSE(ferry_command("user remove nobody --data " + data_.str()));
    test::eventually([&] { return echo(basic("alice", second)).status == 200; },
                     std::chrono::seconds(5), std::chrono::milliseconds(100));
    EXPECT_EQ(echo(basic("alice", second)).status, 200);
    EXPECT_EQ(echo(basic("alice", alice_)).status, 200);  // the first token stays valid
    const auto removed =
        test::http_request_from("127.0.0.2", server_->port(), "POST", "/ws/simple/executeEcho",
                                "ping", basic("local", local_));
    EXPECT_EQ(removed.status, 401);
}

// An unknown caller cannot make the server read a body: a 100 MB Content-Length without
// credentials is answered 401 at once and the connection closed.
TEST_F(SecurityTest, NoBodyIsReadBeforeTheCallerIsKnown) {
    const auto started = std::chrono::steady_clock::now();
    const auto answer = test::raw_exchange(
        server_->port(),
        "POST /ws/simple/executeEcho HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n"
        "only a few bytes",
        5000);
    EXPECT_EQ(answer.rfind("HTTP/1.1 401", 0), 0u) << answer;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

// The admin endpoints and /metrics need an admin user; the status endpoint stays open for
// load balancers.
TEST_F(SecurityTest, AdminEndpointsNeedAnAdminUser) {
    const auto port = server_->port();
    EXPECT_EQ(test::http_request(port, "GET", "/_admin/status").status, 200);
    const auto anonymous = test::http_request(port, "GET", "/metrics");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.header("WWW-Authenticate"), "Basic realm=\"ferry\", charset=\"UTF-8\"");
    const auto ordinary = test::http_request(port, "GET", "/metrics", "", basic("alice", alice_));
    EXPECT_EQ(ordinary.status, 403);
    EXPECT_EQ(boost::json::parse(ordinary.body).at("error").as_string(), "admin_required");
    const auto admin = test::http_request(port, "GET", "/metrics", "", basic("ops", ops_));
    EXPECT_EQ(admin.status, 200);
    EXPECT_NE(admin.body.find("ferry_intake_batches_total"), std::string::npos);

    const auto call = echo(basic("alice", alice_));
    ASSERT_EQ(call.status, 200);
    const auto execution = "/_admin/executions/" + call.header("X-Execution-Id");
    EXPECT_EQ(test::http_request(port, "GET", execution).status, 401);
    EXPECT_EQ(test::http_request(port, "GET", execution, "", basic("alice", alice_)).status, 403);
    // low_latency runs are not stored: an admin reads a 404, past the access check.
    EXPECT_EQ(test::http_request(port, "GET", execution, "", basic("ops", ops_)).status, 404);
}

}  // namespace ferry
