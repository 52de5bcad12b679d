// Paged list replies and kept replies over the real server (SPEC §2, "Paging", "Waiting"):
// pages are stored, linked by unguessable tokens, survive a restart and expire; a reply whose
// caller stopped waiting is fetched later at the status link.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <thread>

#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/processes.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {

class PagingTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("items.yaml", R"(name: items
listen: {type: query, object: Items, input: multiple_json, output: multiple_json}
steps:
  - return: {}
)");
        processes_.write("xmlitems.yaml", R"(name: xmlitems
listen: {type: query, object: XmlItems, input: multiple_xml, output: multiple_xml, page_size: 2}
steps:
  - return: {}
)");
        processes_.write("slow.yaml", test::slow_process(700));
    }

    // The URL in `Link: <url>; rel="next"`, or "" for none.
    static std::string next_link(const test::http_reply& res) {
        const auto it = res.headers.find("Link");
        if (it == res.headers.end()) return "";
        const auto& link = it->second;
        EXPECT_NE(link.find("rel=\"next\""), std::string::npos) << link;
        return link.substr(1, link.find('>') - 1);
    }

    test::temp_dir processes_;
    test::temp_dir data_;
};

// 1,050 results on pages of 100: 11 pages, walked across a server restart; every item once, in
// order; the last page has no link; tokens are long random strings, each used for one page.
TEST_F(PagingTest, ThousandFiftyResultsAcrossARestart) {
    std::string body = "[";
    for (int i = 0; i < 1050; ++i) body += (i ? "," : "") + std::to_string(i);
    body += "]";
    std::vector<std::int64_t> seen;
    std::set<std::string> tokens;
    std::string link;
    {
        test::server_process server(processes_.str(), data_.str());
        const auto first = test::http_request(server.port(), "POST", "/ws/simple/queryItems", body);
        ASSERT_EQ(first.status, 200) << first.body;
        const auto items = boost::json::parse(first.body);
        for (const auto& v : items.as_array()) seen.push_back(v.as_int64());
        link = next_link(first);
        ASSERT_TRUE(link.starts_with("/ws/simple/queryItems?moreDataToken=")) << link;
        for (int page = 0; page < 4; ++page) {
            const auto res = test::http_request(server.port(), "GET", link);
            ASSERT_EQ(res.status, 200) << res.body;
            const auto page_items = boost::json::parse(res.body);
            for (const auto& v : page_items.as_array()) seen.push_back(v.as_int64());
            tokens.insert(link.substr(link.find('=') + 1));
            link = next_link(res);
        }
        EXPECT_EQ(server.stop(), 0);
    }
    test::server_process server(processes_.str(), data_.str());
    int pages = 5;
    while (!link.empty()) {
        const auto res = test::http_request(server.port(), "GET", link);
        ASSERT_EQ(res.status, 200) << res.body;
        const auto items = boost::json::parse(res.body).as_array();
        for (const auto& v : items) seen.push_back(v.as_int64());
        tokens.insert(link.substr(link.find('=') + 1));
        link = next_link(res);
        ++pages;
        if (!link.empty()) {
            EXPECT_EQ(items.size(), 100u);
        } else {
            EXPECT_EQ(items.size(), 50u);
        }
    }
    EXPECT_EQ(pages, 11);
    ASSERT_EQ(seen.size(), 1050u);
    for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<std::int64_t>(i));
    EXPECT_EQ(tokens.size(), 10u);
    for (const auto& t : tokens) EXPECT_EQ(t.size(), 32u) << t;  // 128 random bits

    const auto guessed =
        test::http_request(server.port(), "GET", "/ws/simple/queryItems?moreDataToken=0000");
    EXPECT_EQ(guessed.status, 404);
    EXPECT_EQ(boost::json::parse(guessed.body).at("error").as_string(), "unknown_token");
    EXPECT_EQ(server.stop(), 0);
}

// XML lists carry the token as an attribute of <ObjectResponseList> as well.
TEST_F(PagingTest, XmlPagesCarryTheTokenAttribute) {
    test::server_process server(processes_.str(), data_.str());
    const auto first = test::http_request(server.port(), "POST", "/ws/simple/queryXmlItems",
                                          "<ObjectList><i>1</i><i>2</i><i>3</i></ObjectList>");
    ASSERT_EQ(first.status, 200) << first.body;
    const auto link = next_link(first);
    const auto token = link.substr(link.find('=') + 1);
    EXPECT_EQ(first.body, "<ObjectResponseList moreDataToken=\"" + token +
                              "\"><i>1</i><i>2</i>"
                              "</ObjectResponseList>");
    const auto last = test::http_request(server.port(), "GET", link);
    ASSERT_EQ(last.status, 200);
    EXPECT_EQ(last.body, "<ObjectResponseList><i>3</i></ObjectResponseList>");
    EXPECT_EQ(last.headers.count("Link"), 0u);
    EXPECT_EQ(server.stop(), 0);
}

// Pages expire after --page-ttl-seconds: 410 once the time is up.
TEST_F(PagingTest, TokensExpire) {
    test::server_process server(processes_.str(), data_.str(), {"--page-ttl-seconds", "1"});
    const auto first = test::http_request(server.port(), "POST", "/ws/simple/queryXmlItems",
                                          "<ObjectList><i>1</i><i>2</i><i>3</i></ObjectList>");
    const auto link = next_link(first);
    ASSERT_FALSE(link.empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // the 1 s time to live passes
    const auto expired = test::http_request(server.port(), "GET", link);
    EXPECT_EQ(expired.status, 410) << expired.body;
    EXPECT_EQ(boost::json::parse(expired.body).at("error").as_string(), "token_expired");
    EXPECT_EQ(server.stop(), 0);
}

// A caller that stopped waiting gets 202 and a status link; the link answers 202 while the
// execution runs and then the reply itself, also after a restart.
TEST_F(PagingTest, LateReplyIsFetchedAtTheStatusLink) {
    std::string link;
    {
        test::server_process server(processes_.str(), data_.str());
        const auto res = test::http_request(server.port(), "POST", "/ws/simple/createSlow", "{}",
                                            {{"X-Max-Wait", "50"}});
        ASSERT_EQ(res.status, 202) << res.body;
        link = res.headers.at("X-Execution-Status-Link");
        EXPECT_EQ(link, "/_admin/executions/" + res.headers.at("X-Execution-Id") + "/result");
        const auto pending = test::http_request(server.port(), "GET", link);
        EXPECT_EQ(pending.status, 202) << pending.body;
        test::http_reply done;
        test::eventually(
            [&] {
                done = test::http_request(server.port(), "GET", link);
                return done.status != 202;
            },
            std::chrono::seconds(10), std::chrono::milliseconds(50));
        ASSERT_EQ(done.status, 200) << done.body;
        EXPECT_EQ(done.body, R"({"done": {}})");
        EXPECT_EQ(done.headers.at("Content-Type"), "application/json");
        EXPECT_EQ(server.stop(), 0);
    }
    test::server_process server(processes_.str(), data_.str());
    const auto again = test::http_request(server.port(), "GET", link);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body, R"({"done": {}})");
    EXPECT_EQ(server.stop(), 0);
}

}  // namespace ferry
