#include "ferry/profiles/xml_text.hpp"

#include <gtest/gtest.h>

#include "ferry/profiles/element.hpp"

namespace ferry::profiles {

namespace {
// Every character that a reader treats specially somewhere.
constexpr std::string_view awkward = "a&b<c>d\"e'f\tg\nh\ri\r\nj";
}  // namespace

// What xml_escaped writes reads back unchanged both as an attribute and as element content,
// which is how SOAP faults, WSDL and the console use it.
TEST(XmlTextTest, EscapedTextReadsBackTheSameInAttributesAndContent) {
    const auto escaped = xml_escaped(awkward);
    EXPECT_EQ(escaped, "a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i&#13;&#10;j");
    const auto tree = parse_xml("<x a=\"" + escaped + "\" b='" + escaped + "'>" + escaped + "</x>");
    ASSERT_TRUE(tree);
    EXPECT_EQ(value_at(*tree, "@a"), std::string(awkward));
    EXPECT_EQ(value_at(*tree, "@b"), std::string(awkward));
    EXPECT_EQ(tree->text, awkward);
}

// In element content only what a reader would change is escaped: quotes, tabs and line feeds
// stay as they are, so written documents stay readable.
TEST(XmlTextTest, ContentKeepsQuotesAndLayoutWhitespace) {
    std::string out = "<x>";
    append_xml_escaped(out, awkward, xml_place::text);
    out += "</x>";
    EXPECT_EQ(out, "<x>a&amp;b&lt;c&gt;d\"e'f\tg\nh&#13;i&#13;\nj</x>");
    const auto tree = parse_xml(out);
    ASSERT_TRUE(tree);
    EXPECT_EQ(tree->text, awkward);
}

// A raw carriage return would have been read as a line feed: this is what the escape prevents.
TEST(XmlTextTest, ARawCarriageReturnWouldNotReadBack) {
    const auto tree = parse_xml("<x a=\"1\r2\">3\r4</x>");
    ASSERT_TRUE(tree);
    EXPECT_EQ(value_at(*tree, "@a"), "1 2");
    EXPECT_EQ(tree->text, "3\n4");
}

}  // namespace ferry::profiles
