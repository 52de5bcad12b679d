// http_call against a real local HTTP(S) server (SPEC §3, connectors out).
#include <chrono>

#include "harness.hpp"
#include "support/local_http_server.hpp"

namespace ferry::engine::test_steps {

using HttpCallStep = StepTest;
using ferry::test::canned_reply;
using ferry::test::local_http_server;
using ferry::test::seen_request;

std::string url(const local_http_server& server, const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(server.port()) + path;
}

// GET with a templated URL and header: the response body becomes the document, with its
// status and content type as properties; other properties stay.
TEST_F(HttpCallStep, ResponseBecomesTheDocument) {
    local_http_server server([](const seen_request& r) {
        return canned_reply{200,
                            R"({"customer":")" + r.target.substr(11) + R"(","tier":"gold"})",
                            {{"Content-Type", "application/json"}},
                            0};
    });
    const auto out = run("- http_call:\n    url: \"" + url(server, "/customers/{1}") +
                             "\"\n    variables: [{element: customerId}]\n"
                             "    headers: {Accept: application/json, X-Order: \"{1}\"}\n",
                         {R"({"customerId":"C7"})"});
    ASSERT_TRUE(out.ok) << out.error;
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].doc.data, R"({"customer":"C7","tier":"gold"})");
    EXPECT_EQ(out.outputs[0].doc.props.at("http_status"), "200");
    EXPECT_EQ(out.outputs[0].doc.props.at("http_content_type"), "application/json");
    EXPECT_EQ(out.outputs[0].doc.props.at("name"), "n0");
    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].headers.at("Accept"), "application/json");
    EXPECT_EQ(seen[0].headers.at("X-Order"), "C7");
    EXPECT_TRUE(seen[0].body.empty());
}

// POST sends the document as the body with its content type.
TEST_F(HttpCallStep, PostSendsTheDocument) {
    local_http_server server([](const seen_request& r) {
        return canned_reply{201, "got " + r.body, {}, 0};
    });
    const auto out = run("- http_call: {method: POST, url: \"" + url(server, "/orders") +
                             "\", content_type: application/xml}\n",
                         {"<o/>"});
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(out.outputs.at(0).doc.data, "got <o/>");
    EXPECT_EQ(out.outputs.at(0).doc.props.at("http_status"), "201");
    EXPECT_EQ(server.requests().at(0).headers.at("Content-Type"), "application/xml");
}

// 503 and 429 are retried with backoff until the retries run out; the third try succeeds.
TEST_F(HttpCallStep, RetriesServerErrors) {
    std::atomic<int> calls{0};
    local_http_server server([&](const seen_request&) {
        const int n = ++calls;
        return n == 1   ? canned_reply{503, "busy", {}, 0}
               : n == 2 ? canned_reply{429, "slow down", {}, 0}
                        : canned_reply{200, "ok", {}, 0};
    });
    const auto out = run(
        "- http_call: {url: \"" + url(server, "/x") + "\", retries: 2, backoff_ms: 10}\n", {"{}"});
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(out.outputs.at(0).doc.data, "ok");
    EXPECT_EQ(server.requests().size(), 3u);
}

// A partner's Retry-After (seconds) on 429 or 503 stretches the pause before the next attempt.
TEST_F(HttpCallStep, RetryAfterIsHonoured) {
    std::atomic<int> calls{0};
    local_http_server server([&](const seen_request&) {
        return ++calls == 1 ? canned_reply{503, "busy", {{"Retry-After", "1"}}, 0}
                            : canned_reply{200, "ok", {}, 0};
    });
    const auto started = std::chrono::steady_clock::now();
    const auto out = run(
        "- http_call: {url: \"" + url(server, "/x") + "\", retries: 1, backoff_ms: 10}\n", {"{}"});
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(server.requests().size(), 2u);
    // Not a speed measurement: the pause cannot be shorter than the partner asked for.
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1000));
}

// A partner that drops the connection without answering is an error worth retrying.
TEST_F(HttpCallStep, AConnectionDroppedUnansweredIsRetried) {
    std::atomic<int> calls{0};
    local_http_server server([&](const seen_request&) {
        canned_reply reply{200, "ok"};
        reply.reset = ++calls == 1;
        return reply;
    });
    const auto retried = run(
        "- http_call: {url: \"" + url(server, "/x") + "\", retries: 1, backoff_ms: 10}\n", {"{}"});
    ASSERT_TRUE(retried.ok) << retried.error;
    EXPECT_EQ(retried.outputs.at(0).doc.data, "ok");
    EXPECT_EQ(server.requests().size(), 2u);

    calls = 0;
    const auto failed = run("- http_call: {url: \"" + url(server, "/x") + "\"}\n", {"{}"});
    ASSERT_EQ(failed.failures.size(), 1u);
    EXPECT_NE(failed.failures[0].error.find("failed: "), std::string::npos)
        << failed.failures[0].error;
}

// A final error status fails the document with the status and the start of the body; a 4xx
// is not retried; with fail_on_status: false the response passes on with its status.
TEST_F(HttpCallStep, ErrorStatusFailsOrPasses) {
    local_http_server server([](const seen_request&) {
        return canned_reply{404, "no such customer", {}, 0};
    });
    const auto failing = run("- id: lookup\n  http_call: {url: \"" + url(server, "/c/9") +
                                 "\", retries: 3, backoff_ms: 10}\n",
                             {"{}"});
    EXPECT_FALSE(failing.ok);
    ASSERT_EQ(failing.failures.size(), 1u);
    EXPECT_EQ(failing.failures[0].error, "http_call: GET " + url(server, "/c/9") +
                                             " answered 404 Not Found: no such customer");
    EXPECT_EQ(server.requests().size(), 1u);
    const auto passing =
        run("- http_call: {url: \"" + url(server, "/c/9") + "\", fail_on_status: false}\n", {"{}"});
    ASSERT_TRUE(passing.ok);
    EXPECT_EQ(passing.outputs.at(0).doc.props.at("http_status"), "404");
}

// A server that does not answer in time fails the document when the deadline passes.
TEST_F(HttpCallStep, TimeoutFailsTheDocument) {
    local_http_server server([](const seen_request&) {
        return canned_reply{200, "late", {}, 3000};
    });
    const auto started = std::chrono::steady_clock::now();
    const auto out =
        run("- http_call: {url: \"" + url(server, "/slow") + "\", timeout_ms: 200}\n", {"{}"});
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_FALSE(out.ok);
    ASSERT_EQ(out.failures.size(), 1u);
    EXPECT_NE(out.failures[0].error.find("no complete response within 200 ms"), std::string::npos);
    EXPECT_LT(took, std::chrono::milliseconds(2500));
}

// Nobody listening: the connection error is the document's error, after the retries.
TEST_F(HttpCallStep, ConnectionRefused) {
    std::uint16_t port = 0;
    {
        local_http_server gone([](const seen_request&) { return canned_reply{}; });
        port = gone.port();
    }
    const auto out = run("- http_call: {url: \"http://127.0.0.1:" + std::to_string(port) +
                             "/x\", retries: 1, backoff_ms: 10}\n",
                         {"{}"});
    ASSERT_EQ(out.failures.size(), 1u);
    EXPECT_NE(out.failures[0].error.find("refused"), std::string::npos) << out.failures[0].error;
    EXPECT_NE(out.failures[0].error.find("after 2 attempts"), std::string::npos);
}

// A response larger than max_response_bytes is refused, not buffered.
TEST_F(HttpCallStep, OversizedResponseIsRefused) {
    local_http_server server([](const seen_request&) {
        return canned_reply{200, std::string(5000, 'x'), {}, 0};
    });
    const auto out = run(
        "- http_call: {url: \"" + url(server, "/big") + "\", max_response_bytes: 1000}\n", {"{}"});
    ASSERT_EQ(out.failures.size(), 1u);
    EXPECT_NE(out.failures[0].error.find("larger than 1000 bytes"), std::string::npos);
}

// HTTPS: the server's certificate is verified (against tls.ca_file here) including its
// name; without trusting it, the call fails.
TEST_F(HttpCallStep, TlsVerifiesTheServer) {
    const auto cert = (dir_.path() / "cert.pem").string();
    const auto key = (dir_.path() / "key.pem").string();
    ASSERT_TRUE(ferry::test::make_test_certificate(cert, key));
    local_http_server server(
        [](const seen_request& r) {
            return canned_reply{200, "secure " + r.target, {}, 0};
        },
        cert, key);
    const auto https = "https://localhost:" + std::to_string(server.port()) + "/t";
    const auto trusted =
        run("- http_call: {url: \"" + https + "\", tls: {ca_file: " + cert + "}}\n", {"{}"});
    ASSERT_TRUE(trusted.ok) << trusted.error;
    EXPECT_EQ(trusted.outputs.at(0).doc.data, "secure /t");
    const auto untrusted = run("- http_call: {url: \"" + https + "\"}\n", {"{}"});
    ASSERT_EQ(untrusted.failures.size(), 1u);
    EXPECT_NE(untrusted.failures[0].error.find("certificate verify failed"), std::string::npos)
        << untrusted.failures[0].error;
}

}  // namespace ferry::engine::test_steps
