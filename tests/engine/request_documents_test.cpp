#include "ferry/engine/request_documents.hpp"

#include <gtest/gtest.h>

namespace ferry::engine {

// multiple_json: each array element is one document.
TEST(RequestDocumentsTest, MultipleJsonSplitsTheArray) {
    const auto docs = split_request(data_type::multiple_json, R"([{"a":1},{"a":2},3])");
    ASSERT_TRUE(docs);
    ASSERT_EQ(docs->size(), 3u);
    EXPECT_EQ((*docs)[1].data, R"({"a":2})");
}

// Invalid JSON is a 400 naming the position.
TEST(RequestDocumentsTest, InvalidJsonIs400WithPosition) {
    const auto docs = split_request(data_type::multiple_json, "[{\"a\":1},]");
    ASSERT_FALSE(docs);
    EXPECT_EQ(docs.error().status, 400u);
    EXPECT_EQ(docs.error().error, "invalid_json");
    EXPECT_NE(docs.error().detail.find("line 1, column 10"), std::string::npos);
}

// single_data takes any bytes as one document; single_json validates.
TEST(RequestDocumentsTest, SingleTypes) {
    const std::string binary("\x00\xff\x01", 3);
    const auto data = split_request(data_type::single_data, binary);
    ASSERT_TRUE(data);
    EXPECT_EQ(data->at(0).data, binary);
    EXPECT_TRUE(split_request(data_type::single_json, R"({"x": true})"));
    EXPECT_EQ(split_request(data_type::single_json, "{x}").error().status, 400u);
}

// Input none runs with one empty document and refuses a body with 405.
TEST(RequestDocumentsTest, NoneRefusesABody) {
    const auto empty = split_request(data_type::none, "");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->size(), 1u);
    EXPECT_EQ(split_request(data_type::none, "x").error().status, 405u);
}

}  // namespace ferry::engine
