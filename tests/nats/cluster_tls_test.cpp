// A cluster whose NATS servers want TLS with client certificates and a user's password: ferry
// nodes and workers connect with --nats-ca, --nats-cert, --nats-key, --nats-user and
// --nats-password, and a post runs; a client without the password, or without TLS, is turned
// away. Real nats-server, real TLS (certificates made with openssl), real ferry binaries.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ferry/nats/connection.hpp"
#include "nats/cluster_node_fixture.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/nats_cluster.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

namespace ferry::engine::cluster {
namespace {

using namespace std::chrono_literals;

TEST(ClusterSecurity, NodesAndWorkersConnectOverTlsWithCertificatesAndAPassword) {
    test::temp_dir dir;
    const test::test_pki pki(dir.path().string());
    pki.issue_client("ferry", "/CN=ferry");
    const test::nats_cluster servers(
        1, "tls {\n  cert_file: \"" + pki.server_cert() + "\"\n  key_file: \"" + pki.server_key() +
               "\"\n  ca_file: \"" + pki.ca_file() +
               "\"\n  verify: true\n}\nauthorization {\n  user: ferry\n  password: s3cret\n}\n");
    const auto url =
        "tls://127.0.0.1:" + servers.urls()[0].substr(servers.urls()[0].rfind(':') + 1);

    // The C client turns away what the servers refuse: no password, no TLS.
    nats::connection_settings client;
    client.urls = {url};
    client.ca_file = pki.ca_file();
    client.cert_file = pki.cert("ferry");
    client.key_file = pki.key("ferry");
    client.user = "ferry";
    client.password = "wrong";
    EXPECT_FALSE(nats::connection::open(client));
    client.password = "s3cret";
    EXPECT_TRUE(nats::connection::open(client));
    auto plain = client;
    plain.urls = servers.urls();
    plain.ca_file.clear();
    plain.cert_file.clear();
    plain.key_file.clear();
    EXPECT_FALSE(nats::connection::open(plain));

    dir.write("processes/orders.yaml", test_support::orders_process());
    const std::vector<std::string> secured{
        "--nats-ca",      pki.ca_file(), "--nats-cert", pki.cert("ferry"), "--nats-key",
        pki.key("ferry"), "--nats-user", "ferry",       "--nats-password", "s3cret"};
    auto node_args = std::vector<std::string>{"--cluster", url, "--node", "a", "--executors", "0"};
    node_args.insert(node_args.end(), secured.begin(), secured.end());
    const auto processes = (dir.path() / "processes").string();
    test::server_process a(processes, (dir.path() / "a").string(), node_args);
    auto w =
        test::server_process::cluster_worker(url, processes, (dir.path() / "w").string(), secured);
    const auto posted =
        test::http_request(a.port(), "POST", "/ws/simple/createOrder", "{\"order\": 1}",
                           {{"Content-Type", "application/json"}});
    ASSERT_EQ(posted.status, 202) << posted.body;
    EXPECT_NE(posted.body.find("fsync+cluster"), std::string::npos) << posted.body;
    const auto id = posted.header("X-Execution-Id");
    EXPECT_TRUE(test::eventually(
        [&] {
            const auto seen = test::http_request(a.port(), "GET", "/_admin/executions/" + id);
            return seen.status == 200 && boost::json::parse(seen.body).at("state") == "succeeded";
        },
        20s))
        << a.log() << w->log();
}

}  // namespace
}  // namespace ferry::engine::cluster
