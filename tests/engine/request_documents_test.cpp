#include "ferry/engine/intake/request_documents.hpp"

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

// single_xml: well-formed XML is the document, as posted.
TEST(RequestDocumentsTest, SingleXmlKeepsTheBody) {
    const std::string body = "<?xml version=\"1.0\"?>\n<Order id=\"1\"><Total>5</Total></Order>";
    const auto docs = split_request(data_type::single_xml, body);
    ASSERT_TRUE(docs);
    ASSERT_EQ(docs->size(), 1u);
    EXPECT_EQ((*docs)[0].data, body);
}

// Broken XML is a 400 with line and column.
TEST(RequestDocumentsTest, MalformedXmlIs400WithPosition) {
    const auto docs = split_request(data_type::single_xml, "<a>\n  <b></a>");
    ASSERT_FALSE(docs);
    EXPECT_EQ(docs.error().status, 400u);
    EXPECT_EQ(docs.error().error, "invalid_xml");
    EXPECT_NE(docs.error().detail.find("line 2"), std::string::npos) << docs.error().detail;
}

// A DOCTYPE (the carrier of entity expansion attacks) is refused outright, with its position.
TEST(RequestDocumentsTest, XmlWithDoctypeIsRefused) {
    const std::string laughs =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY l \"lol\"><!ENTITY l2 "
        "\"&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;\">]>\n<a>&l2;</a>";
    const auto docs = split_request(data_type::single_xml, laughs);
    ASSERT_FALSE(docs);
    EXPECT_EQ(docs.error().status, 400u);
    EXPECT_NE(docs.error().detail.find("DOCTYPE"), std::string::npos) << docs.error().detail;
    EXPECT_NE(docs.error().detail.find("line 2"), std::string::npos) << docs.error().detail;
}

// multiple_xml: each child of <ObjectList> is one document with its exact bytes, and the
// root's namespace declarations travel with it.
TEST(RequestDocumentsTest, MultipleXmlSplitsTheObjectList) {
    const auto docs = split_request(
        data_type::multiple_xml,
        "<?xml version=\"1.0\"?>\n<!-- orders -->\n<ObjectList xmlns:o=\"urn:orders\">\n"
        "  <o:Order id=\"1\"><Note><![CDATA[a </o:Order> b]]></Note></o:Order>\n"
        "  <!-- skipped -->\n"
        "  <o:Order id=\"2\" xmlns:o=\"urn:other\"/>\n"
        "  <Item a='x>y'>t<Sub/></Item>\n"
        "</ObjectList>");
    ASSERT_TRUE(docs) << docs.error().detail;
    ASSERT_EQ(docs->size(), 3u);
    EXPECT_EQ((*docs)[0].data,
              "<o:Order xmlns:o=\"urn:orders\" id=\"1\"><Note><![CDATA[a </o:Order> b]]></Note>"
              "</o:Order>");
    EXPECT_EQ((*docs)[1].data, "<o:Order id=\"2\" xmlns:o=\"urn:other\"/>");
    EXPECT_EQ((*docs)[2].data, "<Item xmlns:o=\"urn:orders\" a='x>y'>t<Sub/></Item>");
}

// An empty list is zero documents; a wrong root or loose text is a precise 400.
TEST(RequestDocumentsTest, MultipleXmlRefusesOtherShapes) {
    const auto empty = split_request(data_type::multiple_xml, "<ObjectList/>");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());

    const auto wrong_root = split_request(data_type::multiple_xml, "<Orders><a/></Orders>");
    ASSERT_FALSE(wrong_root);
    EXPECT_NE(wrong_root.error().detail.find("<ObjectList>"), std::string::npos);

    const auto loose_text =
        split_request(data_type::multiple_xml, "<ObjectList>\n<a/>oops</ObjectList>");
    ASSERT_FALSE(loose_text);
    EXPECT_NE(loose_text.error().detail.find("line 2, column 5"), std::string::npos)
        << loose_text.error().detail;
}

// multipart: one document per part, with the part's headers as properties.
TEST(RequestDocumentsTest, MultipartSplitsParts) {
    const std::string body =
        "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"order\"; "
        "filename=\"o 1.json\"\r\nContent-Type: application/json\r\n\r\n{\"id\":1}\r\n"
        "--XyZ\r\n\r\nline one\r\nline two\r\n--XyZ--\r\nepilogue";
    const auto docs =
        split_request(data_type::multipart, body, "multipart/form-data; boundary=\"XyZ\"");
    ASSERT_TRUE(docs) << docs.error().detail;
    ASSERT_EQ(docs->size(), 2u);
    EXPECT_EQ((*docs)[0].data, "{\"id\":1}");
    EXPECT_EQ((*docs)[0].props.at("inheader_Content-Type"), "application/json");
    EXPECT_EQ((*docs)[0].props.at("inpart_name"), "order");
    EXPECT_EQ((*docs)[0].props.at("inpart_filename"), "o 1.json");
    EXPECT_EQ((*docs)[1].data, "line one\r\nline two");
    EXPECT_TRUE((*docs)[1].props.empty());
}

// A multipart operation needs a multipart Content-Type with a boundary, and a closed body.
TEST(RequestDocumentsTest, MultipartRefusesBadBodies) {
    const auto no_type = split_request(data_type::multipart, "x", "application/json");
    ASSERT_FALSE(no_type);
    EXPECT_EQ(no_type.error().status, 415u);

    const auto unclosed =
        split_request(data_type::multipart, "--b\r\n\r\ndata", "multipart/mixed; boundary=b");
    ASSERT_FALSE(unclosed);
    EXPECT_EQ(unclosed.error().status, 400u);
    EXPECT_NE(unclosed.error().detail.find("closing boundary"), std::string::npos);

    const auto bad_header =
        split_request(data_type::multipart, "--b\r\nnot a header\r\n\r\nx\r\n--b--",
                      "multipart/mixed; boundary=b");
    ASSERT_FALSE(bad_header);
    EXPECT_NE(bad_header.error().detail.find("part 1"), std::string::npos);
}

// ndjson: one document per non-blank line; a bad line is named by its number.
TEST(RequestDocumentsTest, NdjsonSplitsLines) {
    const auto docs = split_request(data_type::ndjson, "{\"a\":1}\r\n\n[2]\n\"three\"");
    ASSERT_TRUE(docs);
    ASSERT_EQ(docs->size(), 3u);
    EXPECT_EQ((*docs)[0].data, "{\"a\":1}");
    EXPECT_EQ((*docs)[2].data, "\"three\"");

    const auto bad = split_request(data_type::ndjson, "{}\n{}\n{oops}\n");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().detail.find("line 3"), std::string::npos) << bad.error().detail;
}

}  // namespace ferry::engine
