#include <gtest/gtest.h>

#include <thread>

#include "ferry/profiles/profile_yaml.hpp"
#include "ferry/profiles/validation.hpp"
#include "ferry/profiles/xsd.hpp"
#include "support/temp_dir.hpp"

namespace ferry::profiles {
namespace {

profile order() {
    auto p = read_profile(
        test::read_file(std::string(FERRY_TEST_DATA_DIR) + "/profiles/order.profile.yaml"));
    EXPECT_TRUE(p);
    return *p;
}

std::shared_ptr<const validator> order_validator() {
    auto v = validator::compile(order());
    EXPECT_TRUE(v) << v.error();
    return *v;
}

const char* const good = R"(<o:Order xmlns:o="urn:example:orders" version="2">
  <o:id>42</o:id>
  <o:placed>2024-02-29</o:placed>
  <o:customer><o:name>Ada</o:name><o:vip>true</o:vip></o:customer>
  <o:line sku="A-1"><o:qty>2</o:qty><o:price>9.90</o:price></o:line>
  <o:line sku="B-2"><o:qty>1</o:qty><o:price>100</o:price></o:line>
  <n:note xmlns:n="urn:example:notes"><n:text>leave at the door</n:text></n:note>
</o:Order>)";

std::string with(std::string doc, const std::string& from, const std::string& to) {
    doc.replace(doc.find(from), from.size(), to);
    return doc;
}

}  // namespace

// One schema per namespace; the notes namespace is imported by the orders schema.
TEST(XmlValidationTest, GeneratesOneSchemaPerNamespace) {
    const auto schemas = write_xsd(order());
    ASSERT_TRUE(schemas) << schemas.error();
    ASSERT_EQ(schemas->size(), 2u);
    EXPECT_EQ((*schemas)[0].target_namespace, "urn:example:notes");
    EXPECT_EQ((*schemas)[1].target_namespace, "urn:example:orders");
    EXPECT_NE((*schemas)[1].text.find(R"(<xs:import namespace="urn:example:notes"/>)"),
              std::string::npos);
    EXPECT_NE((*schemas)[1].text.find(R"(maxOccurs="unbounded")"), std::string::npos);
}

TEST(XmlValidationTest, AcceptsWhatFits) {
    const auto v = order_validator();
    EXPECT_FALSE(v->check(good)) << v->check(good)->describe();
    // Optional parts may be left out.
    auto lean = with(good, "<o:vip>true</o:vip>", "");
    lean = with(
        lean, R"(<n:note xmlns:n="urn:example:notes"><n:text>leave at the door</n:text></n:note>)",
        "");
    EXPECT_FALSE(v->check(lean));
}

// Xerces finds the problem; the report adds the element path.
TEST(XmlValidationTest, ReportsPathLineColumnAndRule) {
    const auto v = order_validator();
    struct bad {
        std::string doc;
        std::string path;
        std::size_t line;
        std::string rule;
    };
    const std::vector<bad> cases = {
        {with(good, "<o:qty>1</o:qty>", "<o:qty>one</o:qty>"), "/Order/line[2]/qty", 6,
         "type integer"},
        {with(good, "<o:id>42</o:id>", "<o:id>4.2</o:id>"), "/Order/id", 2, "type integer"},
        {with(good, "2024-02-29", "29.02.2024"), "/Order/placed", 3, "type date yyyy-MM-dd"},
        {with(good, "<o:vip>true</o:vip>", "<o:vip>yes</o:vip>"), "/Order/customer/vip", 4,
         "type boolean"},
        {with(good, R"(<o:line sku="B-2">)", "<o:line>"), "/Order/line[2]", 6,
         "required attribute"},
        {with(good, "<o:name>Ada</o:name>", ""), "/Order/customer", 4, "not in the profile"},
        {with(good, "<o:id>42</o:id>", "<o:id>42</o:id><o:colour>red</o:colour>"), "/Order/colour",
         2, "not in the profile"},
        {with(good, R"(xmlns:o="urn:example:orders")", R"(xmlns:o="urn:other")"), "/Order", 1,
         "not in the profile"},
    };
    for (const auto& c : cases) {
        const auto problem = v->check(c.doc);
        ASSERT_TRUE(problem) << c.doc;
        EXPECT_EQ(problem->path, c.path) << problem->describe();
        EXPECT_EQ(problem->line, c.line) << problem->describe();
        EXPECT_GT(problem->column, 0u);
        EXPECT_EQ(problem->rule, c.rule) << problem->describe();
    }
}

// Documents cannot bring their own schema, DTD or entities.
TEST(XmlValidationTest, RefusesDtdsEntitiesAndSchemaHints) {
    const auto v = order_validator();
    const auto doctype = v->check(
        std::string(
            R"(<?xml version="1.0"?><!DOCTYPE o [<!ENTITY x SYSTEM "file:///etc/passwd">]>)") +
        good);
    ASSERT_TRUE(doctype);
    EXPECT_NE(doctype->message.find("DOCTYPE"), std::string::npos) << doctype->message;
    // A schema hint pointing at a lax schema is not followed: the profile still rules.
    const auto hinted = with(
        with(good, "<o:id>42</o:id>", "<o:id>x</o:id>"), R"(version="2")",
        R"(version="2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:example:orders http://127.0.0.1:1/lax.xsd")");
    const auto problem = v->check(hinted);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->path, "/Order/id");
}

// One compiled validator serves many threads at once.
TEST(XmlValidationTest, SharedBetweenThreads) {
    const auto v = order_validator();
    const auto bad = with(good, "<o:qty>1</o:qty>", "<o:qty>x</o:qty>");
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                if (v->check(good) || !v->check(bad)) ++wrong;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong.load(), 0);
}

// Children that may come in any order.
TEST(XmlValidationTest, AnyOrder) {
    auto p = read_profile(
        "profile: Mixed\nformat: xml\nroot:\n  name: r\n  order: any\n"
        "  elements:\n    - {name: a, max: unbounded}\n    - {name: b, type: integer, max: "
        "unbounded}\n");
    ASSERT_TRUE(p);
    const auto v = validator::compile(*p);
    ASSERT_TRUE(v) << v.error();
    EXPECT_FALSE((*v)->check("<r><a>x</a><b>1</b><a>y</a><b>2</b></r>"));
    EXPECT_TRUE((*v)->check("<r><a>x</a><c/></r>"));
}

}  // namespace ferry::profiles
