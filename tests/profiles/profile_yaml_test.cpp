#include "ferry/profiles/profile_yaml.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace ferry::profiles {
namespace {

profile load(const std::string& file) {
    auto p = read_profile(test::read_file(std::string(FERRY_TEST_DATA_DIR) + "/profiles/" + file));
    if (!p) ADD_FAILURE() << p.error().describe(file);
    return p ? *p : profile{};
}

}  // namespace

// Types, occurrences, attributes and namespaces (inherited unless given) are read as written.
TEST(ProfileYamlTest, ReadsAnXmlProfile) {
    const auto p = load("order.profile.yaml");
    EXPECT_EQ(p.name, "PurchaseOrder");
    EXPECT_EQ(p.format, profile_format::xml);
    EXPECT_EQ(p.root.name, "Order");
    ASSERT_EQ(p.root.attributes.size(), 1u);
    EXPECT_TRUE(p.root.attributes[0].required);
    const auto* id = p.find("id");
    ASSERT_NE(id, nullptr);
    EXPECT_EQ(id->type, value_type::integer);
    EXPECT_EQ(id->namespace_uri, "urn:example:orders");
    EXPECT_EQ(p.find("placed")->mask, "yyyy-MM-dd");
    EXPECT_EQ(p.find("customer/vip")->min, 0u);
    EXPECT_FALSE(p.find("line")->max.has_value());
    EXPECT_TRUE(p.find("line")->repeats());
    EXPECT_EQ(p.find("note")->namespace_uri, "urn:example:notes");
    EXPECT_EQ(p.find("note/text")->namespace_uri, "urn:example:notes");
    ASSERT_NE(p.find_attribute("line/@sku"), nullptr);
    EXPECT_EQ(p.find("line/nothing"), nullptr);
}

// What write_profile writes reads back to the same profile.
TEST(ProfileYamlTest, WritesWhatItReads) {
    for (const auto* file : {"order.profile.yaml", "reading.profile.yaml"}) {
        const auto p = load(file);
        const auto text = write_profile(p);
        const auto again = read_profile(text);
        ASSERT_TRUE(again) << again.error().describe("written") << "\n" << text;
        EXPECT_EQ(write_profile(*again), text);
        EXPECT_EQ(again->root.elements.size(), p.root.elements.size());
    }
    const auto text = write_profile(load("reading.profile.yaml"));
    EXPECT_NE(text.find("{name: value, type: number, nullable: true}"), std::string::npos) << text;
    EXPECT_NE(text.find("max: unbounded"), std::string::npos) << text;
}

// A JSON member may have any name, the empty one included; it reads and writes back.
TEST(ProfileYamlTest, JsonMembersMayHaveAnyName) {
    const auto p = read_profile(
        "profile: P\nformat: json\nroot:\n  elements:\n    - {name: \"\"}\n"
        "    - {name: a b}\n    - {name: \"1\"}\n");
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_EQ(p->root.elements.size(), 3u);
    EXPECT_EQ(p->root.elements[0].name, "");
    const auto again = read_profile(write_profile(*p));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(write_profile(*again), write_profile(*p));
}

// Every mistake names its line and column and says what is wrong.
TEST(ProfileYamlTest, MistakesHavePositions) {
    struct bad {
        const char* text;
        std::size_t line;
        const char* says;
    };
    const bad cases[] = {
        {"profile: P\nformat: xml\nroot:\n  name: A\n  elements:\n    - {name: b, type: int}\n", 6,
         "unknown type 'int'"},
        {"profile: P\nformat: json\nroot:\n  elements:\n    - {name: d, type: date}\n", 5,
         "no mask"},
        {"profile: P\nformat: json\nroot:\n  elements:\n    - {name: d, min: 3, max: 2}\n", 5,
         "min above max"},
        {"profile: P\nformat: json\nroot:\n  elements:\n    - {name: d, colour: red}\n", 5,
         "unknown key 'colour'"},
        {"profile: P\nformat: json\nroot:\n  attributes: [{name: a}]\n", 4, "XML profiles only"},
        {"profile: P\nformat: yaml\nroot: {}\n", 2, "format is xml or json"},
        {"profile: a/b\nformat: xml\nroot: {name: A}\n", 1, "profile name"},
        {"profile: P\nformat: xml\nroot:\n  name: R\n  elements:\n    - {type: string}\n", 6,
         "no name"},
        {"profile: P\nformat: xml\nroot:\n  elements: []\n", 4, "no name"},
        {"profile: P\nformat: xml\nroot: {name: [unclosed\n", 4, ""},
        // XML names: an empty one (here a YAML tag with no text, which the fuzzer found: the
        // profile read, but what it wrote did not), markup, spaces, a leading digit, '@'.
        {"profile: P\nformat: xml\nroot:\n  name: !Invoice\n  namespace: urn:x\n", 4,
         "'' is not an XML element name"},
        {"profile: P\nformat: xml\nroot: {name: \"\"}\n", 3, "not an XML element name"},
        {"profile: P\nformat: xml\nroot:\n  name: R\n  elements:\n    - {name: a b}\n", 6,
         "'a b' is not an XML element name"},
        {"profile: P\nformat: xml\nroot:\n  name: R\n  elements:\n    - {name: \"<b>\"}\n", 6,
         "not an XML element name"},
        {"profile: P\nformat: xml\nroot: {name: 1st}\n", 3, "not an XML element name"},
        {"profile: P\nformat: xml\nroot:\n  name: R\n  attributes: [{name: \"@id\"}]\n", 5,
         "'@id' is not an XML attribute name"},
    };
    for (const auto& c : cases) {
        const auto p = read_profile(c.text);
        ASSERT_FALSE(p) << c.text;
        EXPECT_EQ(p.error().line, c.line) << c.text << p.error().message;
        EXPECT_NE(p.error().message.find(c.says), std::string::npos) << p.error().message;
        EXPECT_GT(p.error().column, 0u);
    }
}

}  // namespace ferry::profiles
