// Reply assembly (SPEC §2, output types and response control) and request properties.
#include "ferry/engine/execute/reply.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "ferry/engine/intake/request_properties.hpp"

namespace ferry::engine {
namespace {

process with_output(data_type output) {
    process p;
    p.name = "p";
    p.listen.output = output;
    return p;
}

run_outcome returned(std::vector<std::string> payloads, store::properties props = {}) {
    run_outcome out;
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        out.returned.push_back({{payloads[i], props}, i, {}});
    }
    return out;
}

std::string header(const http_answer& a, const std::string& name) {
    for (const auto& [k, v] : a.headers) {
        if (k == name) return v;
    }
    return "(absent)";
}

}  // namespace

// List outputs: one JSON array, or one ObjectResponseList without inner declarations.
TEST(ReplyTest, ListsAreAssembled) {
    const auto json =
        assemble_reply(with_output(data_type::multiple_json), "x", returned({R"({"a":1})", "[2]"}));
    EXPECT_EQ(json.status, 200u);
    EXPECT_EQ(json.body, R"([{"a":1},[2]])");
    EXPECT_EQ(header(json, "Content-Type"), "application/json");
    const auto xml = assemble_reply(with_output(data_type::multiple_xml), "x",
                                    returned({R"(<?xml version="1.0"?><a/>)", "<b/>"}));
    EXPECT_EQ(xml.body, "<ObjectResponseList><a/><b/></ObjectResponseList>");
    EXPECT_EQ(header(xml, "Content-Type"), "application/xml");
}

// Nothing returned: an empty list for list types, 204 for single types.
TEST(ReplyTest, NothingReturned) {
    EXPECT_EQ(assemble_reply(with_output(data_type::multiple_json), "x", {}).body, "[]");
    EXPECT_EQ(assemble_reply(with_output(data_type::multiple_xml), "x", {}).body,
              "<ObjectResponseList/>");
    const auto single = assemble_reply(with_output(data_type::single_json), "x", {});
    EXPECT_EQ(single.status, 204u);
    EXPECT_TRUE(single.body.empty());
}

// A single document as it is, with the configured content type for single_data; more than
// one for a single type is a clear 500.
TEST(ReplyTest, SingleDocuments) {
    auto p = with_output(data_type::single_data);
    p.listen.result_content_type = "text/csv";
    const auto one = assemble_reply(p, "x", returned({"a;b"}));
    EXPECT_EQ(one.body, "a;b");
    EXPECT_EQ(header(one, "Content-Type"), "text/csv");
    const auto two = assemble_reply(with_output(data_type::single_json), "x", returned({"1", "2"}));
    EXPECT_EQ(two.status, 500u);
    EXPECT_NE(two.body.find("combine them first"), std::string::npos);
}

// outstatuscode and outheader_* of the one result document set status and headers; framing
// headers are not the process's to set, and JSON keeps its content type.
TEST(ReplyTest, ResponseControlByProperties) {
    const auto a = assemble_reply(with_output(data_type::single_json), "x",
                                  returned({"{}"}, {{"outstatuscode", "201"},
                                                    {"outheader_Location", "/orders/7"},
                                                    {"outheader_Content-Length", "999"},
                                                    {"outheader_Content-Type", "text/plain"},
                                                    {"other", "ignored"}}));
    EXPECT_EQ(a.status, 201u);
    EXPECT_EQ(header(a, "Location"), "/orders/7");
    EXPECT_EQ(header(a, "Content-Length"), "(absent)");
    EXPECT_EQ(header(a, "Content-Type"), "application/json");
    const auto bad = assemble_reply(with_output(data_type::single_json), "x",
                                    returned({"{}"}, {{"outstatuscode", "2000"}}));
    EXPECT_EQ(bad.status, 500u);
    EXPECT_NE(bad.body.find("not an HTTP status"), std::string::npos);
}

// A failed run is 500 naming the step and the message; a list document that is not JSON is
// refused rather than sent broken.
TEST(ReplyTest, Failures) {
    run_outcome failed;
    failed.ok = false;
    failed.failed_step = "lookup";
    failed.error = "CRM answered 503";
    const auto a = assemble_reply(with_output(data_type::single_json), "ex9", failed);
    EXPECT_EQ(a.status, 500u);
    EXPECT_EQ(
        a.body,
        R"({"error":"execution_failed","execution_id":"ex9","step":"lookup","message":"CRM answered 503"})");
    const auto b = assemble_reply(with_output(data_type::multiple_json), "x", returned({"{", "1"}));
    EXPECT_EQ(b.status, 500u);
    EXPECT_NE(b.body.find("returned document 1 is not JSON"), std::string::npos);
}

// Request properties: allowed header families only, matrix parameters without auth, the
// user of Basic credentials.
TEST(RequestPropertiesTest, WhatTheProcessLearns) {
    const std::vector<std::pair<std::string, std::string>> request_headers = {
        {"Content-Type", "text/plain"},  {"Accept-Language", "de"},       {"X-WSS-Trace", "7"},
        {"Authorization", "Basic eDp5"}, {"X-Forwarded-For", "10.0.0.1"}, {"Host", "h"}};
    const auto headers = header_properties(request_headers);
    EXPECT_EQ(headers, (store::properties{{"inheader_Content-Type", "text/plain"},
                                          {"inheader_Accept-Language", "de"},
                                          {"inheader_X-WSS-Trace", "7"}}));
    std::vector<std::pair<std::string, std::string>> params;
    EXPECT_EQ(split_matrix("getOrder;region=EU;auth=secret;flag", params), "getOrder");
    EXPECT_EQ(params,
              (std::vector<std::pair<std::string, std::string>>{{"region", "EU"}, {"flag", ""}}));
    EXPECT_EQ(basic_auth_user("Basic YWRhOnNlY3JldA=="), "ada");
    EXPECT_EQ(basic_auth_user("Bearer abc"), "");
    EXPECT_EQ(basic_auth_user("Basic !!!"), "");
    const auto props =
        process_properties({"POST", "/ws/simple/getOrder", {{"q", "1"}}, params, "ada"});
    EXPECT_EQ(props.at("query_q"), "1");
    EXPECT_EQ(props.at("param_region"), "EU");
    EXPECT_EQ(props.at("inuser"), "ada");
}

// A list over the page size: the first page, then pages chained by tokens; the last names none.
TEST(ReplyTest, LongListsArePaged) {
    auto p = with_output(data_type::multiple_json);
    p.listen.type = "query";
    p.listen.object = "Items";
    p.listen.page_size = 2;
    int made = 0;
    const auto pages = assemble_pages(p, "x", returned({"1", "2", "3", "4", "5"}),
                                      [&] { return "t" + std::to_string(++made); });
    EXPECT_EQ(pages.first.body, "[1,2]");
    EXPECT_EQ(header(pages.first, "Link"),
              "</ws/simple/queryItems?moreDataToken=t1>; rel=\"next\"");
    ASSERT_EQ(pages.later.size(), 2u);
    EXPECT_EQ(pages.later[0].first, "t1");
    EXPECT_EQ(pages.later[0].second.body, "[3,4]");
    EXPECT_EQ(header(pages.later[0].second, "Link"),
              "</ws/simple/queryItems?moreDataToken=t2>; rel=\"next\"");
    EXPECT_EQ(pages.later[1].second.body, "[5]");
    EXPECT_EQ(header(pages.later[1].second, "Link"), "(absent)");

    // At or under the page size there is one page and no token.
    const auto short_list = assemble_pages(p, "x", returned({"1", "2"}), [] { return "never"; });
    EXPECT_TRUE(short_list.later.empty());
    EXPECT_EQ(header(short_list.first, "Link"), "(absent)");

    // A document that is not JSON on any page fails the whole reply.
    const auto bad = assemble_pages(p, "x", returned({"1", "2", "{"}), [] { return "t"; });
    EXPECT_EQ(bad.first.status, 500u);
    EXPECT_TRUE(bad.later.empty());
}

// A kept answer reads back exactly, expiry first.
TEST(ReplyTest, KeptAnswerRoundTrips) {
    const http_answer answer{
        201, {{"Content-Type", "application/json"}, {"X-A", "b"}}, "{\"k\":1}"};
    const auto bytes = encode_kept_answer(1234567, "exec", answer);
    const auto kept = decode_kept_answer(bytes);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->expires_ms, 1234567);
    EXPECT_EQ(kept->execution_id, "exec");
    EXPECT_EQ(kept->answer.status, 201u);
    EXPECT_EQ(kept->answer.headers, answer.headers);
    EXPECT_EQ(kept->answer.body, answer.body);
    EXPECT_FALSE(decode_kept_answer(bytes.substr(0, 10)));
}

}  // namespace ferry::engine

namespace ferry::engine {

// A receipt names the execution and every document (a bulk receipt only the first and last),
// as JSON any parser reads back, escapes included.
TEST(ReplyTest, ReceiptsListTheDocuments) {
    const auto plain = receipt_reply({"01a2ff", 3, "fsync"});
    EXPECT_EQ(plain.status, 202u);
    EXPECT_EQ(plain.body,
              R"({"execution_id":"01a2ff","document_count":3,)"
              R"("documents":["01a2ff-0","01a2ff-1","01a2ff-2"],"durability":"fsync"})");
    EXPECT_EQ(header(plain, "X-Execution-Id"), "01a2ff");
    EXPECT_EQ(header(plain, "Location"), "/_admin/executions/01a2ff");

    const auto bulk = receipt_reply({"01a2ff", 100000, "fsync"}, true);
    EXPECT_EQ(bulk.body, R"({"execution_id":"01a2ff","document_count":100000,)"
                         R"("first_document":"01a2ff-0","last_document":"01a2ff-99999",)"
                         R"("durability":"fsync"})");
    EXPECT_EQ(receipt_reply({"e", 0, "fsync"}, true).body,
              R"({"execution_id":"e","document_count":0,"durability":"fsync"})");

    const auto odd = boost::json::parse(receipt_reply({"a\"b\\c\n", 1, "x\x01"}).body);
    EXPECT_EQ(odd.at("execution_id").as_string(), "a\"b\\c\n");
    EXPECT_EQ(odd.at("documents").as_array().at(0).as_string(), "a\"b\\c\n-0");
    EXPECT_EQ(odd.at("durability").as_string(), "x\x01");
}

}  // namespace ferry::engine
