#include "ferry/profiles/inference.hpp"

#include <gtest/gtest.h>

#include "ferry/profiles/profile_yaml.hpp"
#include "ferry/profiles/validation.hpp"
#include "support/temp_dir.hpp"

namespace ferry::profiles {
namespace {

std::string sample(const std::string& file) {
    return test::read_file(std::string(FERRY_TEST_DATA_DIR) + "/profiles/samples/" + file);
}

profile infer(const std::vector<std::string>& files, const std::string& name = "P") {
    std::vector<std::string> texts;
    for (const auto& f : files) texts.push_back(sample(f));
    auto p = infer_profile(texts, name);
    EXPECT_TRUE(p) << p.error();
    return p ? *p : profile{};
}

// Every inferred profile accepts the samples it came from.
void expect_accepts_samples(const profile& p, const std::vector<std::string>& files) {
    auto v = validator::compile(p);
    ASSERT_TRUE(v) << v.error() << "\n" << write_profile(p);
    for (const auto& f : files) {
        const auto problem = (*v)->check(sample(f));
        EXPECT_FALSE(problem) << f << ": " << problem->describe() << "\n" << write_profile(p);
    }
}

}  // namespace

// Namespaces, attributes, repetition, optional parts, empty elements and types from two
// samples of one XML document kind.
TEST(InferenceTest, XmlOrdersFromTwoSamples) {
    const auto p = infer({"order-1.xml", "order-2.xml"});
    EXPECT_EQ(p.format, profile_format::xml);
    EXPECT_EQ(p.root.name, "Order");
    EXPECT_EQ(p.root.namespace_uri, "urn:example:orders");
    ASSERT_EQ(p.root.attributes.size(), 2u);
    EXPECT_EQ(p.root.attributes[0].name, "version");
    EXPECT_TRUE(p.root.attributes[0].required);
    EXPECT_EQ(p.root.attributes[0].type, value_type::integer);
    EXPECT_FALSE(p.root.attributes[1].required);  // channel: only in the first sample
    EXPECT_EQ(p.find("id")->type, value_type::integer);
    EXPECT_EQ(p.find("placed")->type, value_type::date);
    EXPECT_EQ(p.find("placed")->mask, "yyyy-MM-dd");
    EXPECT_EQ(p.find("customer/vip")->type, value_type::boolean);
    EXPECT_EQ(p.find("customer/vip")->min, 0u);
    EXPECT_TRUE(p.find("line")->repeats());
    EXPECT_EQ(p.find("line/price")->type, value_type::number);
    EXPECT_EQ(p.find("comment")->type, value_type::string);  // always empty
    EXPECT_EQ(p.find("note")->namespace_uri, "urn:example:notes");
    EXPECT_EQ(p.find("note")->min, 0u);
    EXPECT_FALSE(p.root.any_order);
    expect_accepts_samples(p, {"order-1.xml", "order-2.xml"});
}

// Elements that interleave (entry, link, entry; category, link, category) make their parent
// any-order; a second namespace inside an element; dates with a literal Z.
TEST(InferenceTest, XmlFeedWithInterleavedElements) {
    const auto p = infer({"feed.xml"});
    EXPECT_TRUE(p.root.any_order);
    EXPECT_TRUE(p.find("entry")->repeats());
    EXPECT_TRUE(p.find("entry")->any_order);
    EXPECT_EQ(p.find("entry/lat")->namespace_uri, "http://www.w3.org/2003/01/geo/wgs84_pos#");
    EXPECT_EQ(p.find("entry/lat")->type, value_type::number);
    EXPECT_EQ(p.find("updated")->mask, "yyyy-MM-dd'T'HH:mm:ss'Z'");
    expect_accepts_samples(p, {"feed.xml"});
}

// Objects, arrays, null, numbers against integers, booleans and dates in JSON.
TEST(InferenceTest, JsonReadings) {
    const auto p = infer({"reading-1.json", "reading-2.json"}, "Reading");
    EXPECT_EQ(p.format, profile_format::json);
    EXPECT_EQ(p.find("value")->type, value_type::number);
    EXPECT_EQ(p.find("ok")->type, value_type::boolean);
    EXPECT_EQ(p.find("at")->type, value_type::date);
    EXPECT_EQ(p.find("location/floor")->type, value_type::integer);
    EXPECT_EQ(p.find("location/room")->min, 0u);
    EXPECT_EQ(p.find("tags")->min, 0u);
    EXPECT_TRUE(p.find("tags")->repeats());
    EXPECT_TRUE(p.find("samples")->repeats());
    EXPECT_EQ(p.find("samples/v")->type, value_type::number);
    EXPECT_TRUE(p.find("note")->nullable);
    expect_accepts_samples(p, {"reading-1.json", "reading-2.json"});
    // And refuses what breaks it.
    auto v = validator::compile(p);
    const auto problem =
        (*v)->check(R"({"sensor":"s","value":"warm","ok":true,"at":"2024-01-01T00:00:00",
        "location":{"site":"x","floor":1},"samples":[],"note":null})");
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->path, "/value");
}

TEST(InferenceTest, JsonTopLevelArray) {
    const auto p = infer({"items.json"}, "Items");
    EXPECT_TRUE(p.root.repeats());
    EXPECT_EQ(p.find("gift")->min, 0u);
    EXPECT_EQ(p.find("qty")->type, value_type::integer);
    expect_accepts_samples(p, {"items.json"});
}

// A 10 MB document with deep nesting: inferred, written, read back and validated.
TEST(InferenceTest, LargeAndDeepDocuments) {
    std::string big = "<log>";
    for (int i = 0; big.size() < 10'000'000; ++i) {
        big += "<event id=\"" + std::to_string(i) + "\"><at>2024-01-01T00:00:00</at><level>" +
               std::string(i % 7 == 0 ? "WARN" : "INFO") + "</level><detail><code>" +
               std::to_string(i % 500) + "</code><text>something happened somewhere</text>" +
               "</detail></event>";
    }
    big += "</log>";
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "<d" + std::to_string(i) + ">";
    deep += "x";
    for (int i = 99; i >= 0; --i) deep += "</d" + std::to_string(i) + ">";
    for (const auto* doc : {&big, &deep}) {
        auto p = infer_profile({*doc}, "Big");
        ASSERT_TRUE(p) << p.error();
        auto again = read_profile(write_profile(*p));
        ASSERT_TRUE(again) << again.error().message;
        auto v = validator::compile(*again);
        ASSERT_TRUE(v) << v.error();
        EXPECT_FALSE((*v)->check(*doc));
    }
    auto p = infer_profile({big}, "Big");
    EXPECT_EQ(p->find("event/detail/code")->type, value_type::integer);
    EXPECT_EQ(p->find("event/@id"), nullptr);
    EXPECT_NE(p->find_attribute("event/@id"), nullptr);
}

TEST(InferenceTest, BadSamples) {
    EXPECT_FALSE(infer_profile({}, "P"));
    const auto broken = infer_profile({"<a><b></a>"}, "P");
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().find("sample 1 is not XML"), std::string::npos);
    const auto two_roots = infer_profile({"<a/>", "<b/>"}, "P");
    ASSERT_FALSE(two_roots);
    EXPECT_NE(two_roots.error().find("sample 2 has root element 'b'"), std::string::npos);
    const auto entity =
        infer_profile({R"(<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>)"}, "P");
    EXPECT_FALSE(entity);
}

}  // namespace ferry::profiles
