#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <thread>

#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/recording.hpp"
#include "support/server_process.hpp"

namespace ferry {
namespace asio = boost::asio;

class IngestTest : public ::testing::Test {
protected:
    void SetUp() override { processes_.write("record.yaml", test::recording_process); }

    // Polls until every id in `ids` has been executed (or 60 s pass).
    std::map<std::string, int> wait_executed(const std::vector<std::string>& ids) {
        std::map<std::string, int> seen;
        test::eventually(
            [&] {
                seen = test::executed_documents(data_.path());
                bool all = true;
                for (const auto& id : ids) all = all && seen.contains(id);
                return all;
            },
            std::chrono::seconds(60), std::chrono::milliseconds(20));
        return seen;
    }

    test::temp_dir processes_;
    test::temp_dir data_;
};

// 1,000 concurrent posts: every receipt is 202, every document id is executed exactly once.
TEST_F(IngestTest, ThousandConcurrentPostsExecuteExactlyOnce) {
    test::server_process server(processes_.str(), data_.str());
    asio::io_context io;
    std::vector<std::string> acked;
    std::vector<std::string> executions;
    int failures = 0;
    for (int i = 0; i < 1000; ++i) {
        std::string body = "[";
        for (int d = 0; d <= i % 3; ++d)
            body += (d ? ",{\"n\":" : "{\"n\":") + std::to_string(i) + "}";
        body += "]";
        asio::co_spawn(
            io,
            [&, body]() -> asio::awaitable<void> {
                const auto res = co_await test::async_http_request(server.port(), "POST",
                                                                   "/ws/simple/createEvent", body);
                if (res.status != 202) {
                    ++failures;
                    co_return;
                }
                const auto receipt = boost::json::parse(res.body).as_object();
                executions.emplace_back(receipt.at("execution_id").as_string());
                for (const auto& id : receipt.at("documents").as_array()) {
                    acked.emplace_back(id.as_string());
                }
            },
            asio::detached);
    }
    io.run();
    EXPECT_EQ(failures, 0);
    ASSERT_EQ(executions.size(), 1000u);
    EXPECT_EQ(acked.size(), 1000u / 3 * 6 + 1);  // 1, 2, 3 documents in turn

    const auto seen = wait_executed(acked);
    EXPECT_EQ(seen.size(), acked.size());
    for (const auto& id : acked) EXPECT_EQ(seen.count(id) ? seen.at(id) : 0, 1) << id;

    const auto status = test::http_request(server.port(), "GET", "/_admin/status");
    EXPECT_EQ(status.status, 200);
    const auto one =
        test::http_request(server.port(), "GET", "/_admin/executions/" + executions[0]);
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(boost::json::parse(one.body).at("state").as_string(), "succeeded");
    EXPECT_EQ(server.stop(), 0);
}

// Request data reaches the process: inmethod, inpath, query_*, param_* (matrix parameters,
// never ;auth), inuser (from Basic credentials) and allowed inheader_* only.
TEST_F(IngestTest, RequestDataReachesTheProcess) {
    processes_.write("echo.yaml", R"(name: echoRequest
listen: {type: execute, object: Echo, input: single_data, output: none}
steps:
  - message:
      template: "{1}|{2}|{3}|{4}|{5}|{6}|{7}|{8}"
      variables:
        - {process_property: inmethod}
        - {process_property: inpath}
        - {process_property: query_region}
        - {document_property: inheader_Content-Type}
        - {document_property: inheader_Authorization}
        - {process_property: param_channel}
        - {process_property: param_auth}
        - {process_property: inuser}
  - file_write: {directory: echo, file_name: out.txt}
)");
    test::server_process server(processes_.str(), data_.str());
    const auto res = test::http_request(
        server.port(), "POST", "/ws/simple/executeEcho;channel=web;auth=eDp5?region=eu%2Dwest", "x",
        {{"Content-Type", "text/plain"},
         {"Authorization", "Basic YWRhOnNlY3JldA=="}});  // ada:secret
    ASSERT_EQ(res.status, 202) << res.body;
    const auto out = data_.path() / "files/echo/out.txt";
    test::eventually([&] { return !test::read_file(out).empty(); }, std::chrono::seconds(10));
    // The protected Authorization header never becomes a property.
    EXPECT_EQ(test::read_file(out), "POST|/ws/simple/executeEcho|eu-west|text/plain||web||ada");
}

// A malformed definition stops start-up with file, line, column and a sentence.
TEST_F(IngestTest, BadDefinitionStopsStartup) {
    processes_.write("broken.yaml",
                     "name: x\nlisten: {type: create, object: X, input: nope, "
                     "output: none}\n");
    try {
        test::server_process server(processes_.str(), data_.str());
        FAIL() << "the server started with a broken definition";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("broken.yaml:2:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("input must be one of"), std::string::npos);
    }
}

}  // namespace ferry
