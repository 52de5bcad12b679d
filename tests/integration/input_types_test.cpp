// Every input type over the real server (SPEC §2): valid bodies become one execution with one
// document per item; invalid bodies get a precise 4xx and store nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {

class InputTypesTest : public ::testing::Test {
protected:
    void SetUp() override {
        processes_.write("orders.yaml", R"(name: orders
listen: {type: create, object: Orders, input: multiple_xml, output: multiple_xml}
steps:
  - return: {}
)");
        processes_.write("invoice.yaml", R"(name: invoice
listen: {type: create, object: Invoice, input: single_xml, output: none}
steps:
  - file_write: {directory: invoices, file_name: "{1}.xml", variables: [document_id]}
)");
        processes_.write("upload.yaml", R"(name: upload
listen: {type: create, object: Upload, input: multipart, output: multiple_json}
steps:
  - message:
      template: "'{'\"name\": \"{1}\", \"type\": \"{2}\", \"bytes\": \"{3}\"'}'"
      variables: [{document_property: inpart_name}, {document_property: inheader_Content-Type},
                  current_data]
  - return: {}
)");
        processes_.write("events.yaml", R"(name: events
listen: {type: create, object: Events, input: ndjson, output: none}
steps:
  - file_write: {directory: events, file_name: "{1}.json", variables: [document_id]}
)");
    }

    test::temp_dir processes_;
    test::temp_dir data_;
};

TEST_F(InputTypesTest, EachTypeSplitsValidBodiesAndRefusesInvalidOnes) {
    test::server_process server(processes_.str(), data_.str());
    const auto port = server.port();

    // multiple_xml: <ObjectList> children come back in an <ObjectResponseList>.
    const auto orders = test::http_request(
        port, "POST", "/ws/simple/createOrders",
        "<ObjectList xmlns:o=\"urn:o\"><o:Order n=\"1\"/><o:Order n=\"2\">x</o:Order></ObjectList>",
        {{"Content-Type", "application/xml"}});
    ASSERT_EQ(orders.status, 200) << orders.body;
    EXPECT_NE(orders.body.find("<ObjectResponseList>"), std::string::npos) << orders.body;
    EXPECT_NE(orders.body.find("<o:Order xmlns:o=\"urn:o\" n=\"2\">x</o:Order>"), std::string::npos)
        << orders.body;
    const auto wrong_root =
        test::http_request(port, "POST", "/ws/simple/createOrders", "<Orders><a/></Orders>");
    EXPECT_EQ(wrong_root.status, 400);
    EXPECT_EQ(boost::json::parse(wrong_root.body).at("error").as_string(), "invalid_xml");

    // single_xml: stored and acknowledged; XXE and broken XML refused with a position.
    const auto invoice =
        test::http_request(port, "POST", "/ws/simple/createInvoice", "<Invoice id=\"7\"/>");
    ASSERT_EQ(invoice.status, 202) << invoice.body;
    EXPECT_EQ(boost::json::parse(invoice.body).at("documents").as_array().size(), 1u);
    const auto xxe =
        test::http_request(port, "POST", "/ws/simple/createInvoice",
                           "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>");
    EXPECT_EQ(xxe.status, 400);
    EXPECT_NE(xxe.body.find("DOCTYPE"), std::string::npos) << xxe.body;
    const auto broken = test::http_request(port, "POST", "/ws/simple/createInvoice", "<a><b></a>");
    EXPECT_EQ(broken.status, 400);
    EXPECT_NE(broken.body.find("line 1"), std::string::npos) << broken.body;

    // multipart: one document per part, part headers as properties.
    const auto upload = test::http_request(
        port, "POST", "/ws/simple/createUpload",
        "--b1\r\nContent-Disposition: form-data; name=\"first\"\r\nContent-Type: text/plain\r\n"
        "\r\nhello\r\n--b1\r\nContent-Disposition: form-data; name=\"second\"\r\n\r\nworld\r\n"
        "--b1--\r\n",
        {{"Content-Type", "multipart/form-data; boundary=b1"}});
    ASSERT_EQ(upload.status, 200) << upload.body;
    const auto parts = boost::json::parse(upload.body).as_array();
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].at("name").as_string(), "first");
    EXPECT_EQ(parts[0].at("type").as_string(), "text/plain");
    EXPECT_EQ(parts[0].at("bytes").as_string(), "hello");
    // The second part has no Content-Type of its own, so the request's shows through.
    EXPECT_EQ(parts[1].at("type").as_string(), "multipart/form-data; boundary=b1");
    const auto not_multipart = test::http_request(port, "POST", "/ws/simple/createUpload", "x",
                                                  {{"Content-Type", "text/plain"}});
    EXPECT_EQ(not_multipart.status, 415);

    // ndjson: one execution, one document per line; a bulk receipt counts them.
    const auto events = test::http_request(port, "POST", "/ws/simple/createEvents",
                                           "{\"e\":1}\n{\"e\":2}\n\n{\"e\":3}\n",
                                           {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(events.status, 202) << events.body;
    EXPECT_EQ(boost::json::parse(events.body).at("document_count").as_int64(), 3);
    const auto bad_line =
        test::http_request(port, "POST", "/ws/simple/createEvents", "{\"e\":1}\n{e:2}\n");
    EXPECT_EQ(bad_line.status, 400);
    EXPECT_NE(bad_line.body.find("line 2"), std::string::npos) << bad_line.body;
    EXPECT_EQ(server.stop(), 0);
}

}  // namespace ferry
