#include "ferry/profiles/element.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace ferry::profiles {

// Namespaces are resolved, prefixes dropped from names; layout whitespace is not text.
TEST(ElementTest, XmlParsesIntoTree) {
    const auto tree = parse_xml(R"(<o:Order xmlns:o="urn:orders" id="7">
  <o:Customer><o:Name>Ada &amp; Co</o:Name></o:Customer>
  <o:Line sku="A"/><o:Line sku="B"/>
</o:Order>)");
    ASSERT_TRUE(tree);
    EXPECT_EQ(tree->name, "Order");
    EXPECT_EQ(tree->namespace_uri, "urn:orders");
    EXPECT_EQ(tree->text, "");
    EXPECT_EQ(value_at(*tree, "@id"), "7");
    EXPECT_EQ(value_at(*tree, "Customer/Name"), "Ada & Co");
    EXPECT_EQ(select(*tree, "Line").size(), 2u);
    EXPECT_EQ(value_at(*tree, "Line/@sku"), "A");
    EXPECT_FALSE(value_at(*tree, "Customer/Phone"));
}

// Non-ASCII text survives as UTF-8 both ways.
TEST(ElementTest, Utf8RoundTrip) {
    const auto tree = parse_xml("<a>Zürich €</a>");
    ASSERT_TRUE(tree);
    EXPECT_EQ(tree->text, "Zürich €");
    EXPECT_EQ(write_xml(*tree, false), "<a>Zürich €</a>");
}

// Writing escapes markup characters and puts the root's namespace on it.
TEST(ElementTest, XmlWritesEscaped) {
    element root{.name = "Ack",
                 .namespace_uri = "urn:x",
                 .attributes = {{"q", "a\"b"}},
                 .text = "",
                 .kind = value_kind::text,
                 .array = false,
                 .children = {}};
    root.children.push_back({.name = "Note",
                             .namespace_uri = "",
                             .attributes = {},
                             .text = "1 < 2 & 3",
                             .kind = value_kind::text,
                             .array = false,
                             .children = {}});
    EXPECT_EQ(write_xml(root),
              R"(<?xml version="1.0" encoding="UTF-8"?><Ack xmlns="urn:x" q="a&quot;b">)"
              R"(<Note>1 &lt; 2 &amp; 3</Note></Ack>)");
}

// A carriage return in text, and a tab, line feed or carriage return in an attribute, are
// written as character references: raw, a reader would turn them into a line feed or a space
// (the xml_reader fuzz target found the text case).
TEST(ElementTest, XmlWritesWhitespaceAReaderWouldNormalise) {
    const auto tree = parse_xml("<a t=\"x&#9;y&#10;z&#13;\">&#13;one\ntwo\tthree</a>");
    ASSERT_TRUE(tree);
    EXPECT_EQ(tree->text, "\rone\ntwo\tthree");
    EXPECT_EQ(value_at(*tree, "@t"), "x\ty\nz\r");
    const auto written = write_xml(*tree, false);
    EXPECT_EQ(written, "<a t=\"x&#9;y&#10;z&#13;\">&#13;one\ntwo\tthree</a>");
    const auto again = parse_xml(written);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->text, tree->text);
    EXPECT_EQ(value_at(*again, "@t"), "x\ty\nz\r");
}

// JSON keeps types and arrays through the tree.
TEST(ElementTest, JsonRoundTripKeepsTypesAndArrays) {
    const std::string text =
        R"({"id":7,"paid":true,"note":null,"customer":{"name":"Ada"},"items":[{"sku":"A"}],"tags":["x","y"]})";
    const auto tree = parse_json(text);
    ASSERT_TRUE(tree);
    EXPECT_EQ(value_at(*tree, "customer/name"), "Ada");
    EXPECT_EQ(value_at(*tree, "id"), "7");
    EXPECT_FALSE(value_at(*tree, "note"));
    EXPECT_EQ(select(*tree, "tags").size(), 2u);
    EXPECT_EQ(write_json(*tree), text);
}

// A top-level array stays an array.
TEST(ElementTest, TopLevelArray) {
    const auto tree = parse_json(R"([{"a":1},{"a":2}])");
    ASSERT_TRUE(tree);
    EXPECT_EQ(select(*tree, "item/a").size(), 2u);
    EXPECT_EQ(write_json(*tree), R"([{"a":1},{"a":2}])");
}

// Bad input is reported, not guessed at.
TEST(ElementTest, ProblemsAreReported) {
    const auto json = parse_document(R"({"a": )");
    ASSERT_FALSE(json);
    EXPECT_NE(json.error().find("JSON"), std::string::npos);
    const auto xml = parse_document("<a><b></a>");
    ASSERT_FALSE(xml);
    EXPECT_NE(xml.error().find("line 1"), std::string::npos);
    EXPECT_FALSE(parse_json(R"({"a":1} x)"));
}

// An external entity is refused while building a tree too: the parse fails, nothing leaks.
TEST(ElementTest, ExternalEntityRefused) {
    test::temp_dir dir;
    const auto secret = dir.write("secret.txt", "TOPSECRET");
    const auto tree =
        parse_xml("<!DOCTYPE a [<!ENTITY x SYSTEM \"file://" + secret.string() + "\">]><a>&x;</a>");
    ASSERT_FALSE(tree);
    EXPECT_EQ(tree.error().message.find("TOPSECRET"), std::string::npos);
}

}  // namespace ferry::profiles

namespace ferry::profiles {

// Numbers keep their written form (amounts, big ids); escapes become UTF-8 and back.
TEST(ElementTest, JsonNumbersAndEscapesAreExact) {
    const std::string text =
        R"({"net":1200.00,"id":12345678901234567890123,"e":-1.5E+3,"s":"a\"b\\c\u00e9\ud83d\ude00\n"})";
    const auto tree = parse_json(text);
    ASSERT_TRUE(tree);
    EXPECT_EQ(value_at(*tree, "net"), "1200.00");
    EXPECT_EQ(value_at(*tree, "id"), "12345678901234567890123");
    EXPECT_EQ(value_at(*tree, "s"), "a\"b\\cé😀\n");
    EXPECT_EQ(write_json(*tree),
              R"({"net":1200.00,"id":12345678901234567890123,"e":-1.5E+3,"s":"a\"b\\cé😀\n"})");
}

// Malformed JSON is refused with the position of the problem; deep nesting is refused
// instead of exhausting the stack.
TEST(ElementTest, JsonProblemsHavePositions) {
    const auto bad = parse_json(R"({"a": 01})");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().offset, 8u);
    EXPECT_FALSE(parse_json(R"({"a": "\ud800"})"));
    EXPECT_FALSE(parse_json("[1,]"));
    EXPECT_FALSE(parse_json("\"tab\there\""));
    const auto deep = parse_json(std::string(100000, '['));
    ASSERT_FALSE(deep);
    EXPECT_NE(deep.error().message.find("nesting"), std::string::npos);
}

}  // namespace ferry::profiles
