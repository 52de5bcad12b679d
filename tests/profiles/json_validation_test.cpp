#include <gtest/gtest.h>

#include "ferry/profiles/profile_yaml.hpp"
#include "ferry/profiles/validation.hpp"
#include "support/temp_dir.hpp"

namespace ferry::profiles {
namespace {

profile reading() {
    auto p = read_profile(
        test::read_file(std::string(FERRY_TEST_DATA_DIR) + "/profiles/reading.profile.yaml"));
    EXPECT_TRUE(p);
    return *p;
}

const char* const good = R"({"sensor": "s-1", "value": 20.5, "at": "2024-02-29T13:05:09",
 "tags": ["a", "b"], "samples": [{"n": 1, "ok": true}, {"n": 2}]})";

}  // namespace

TEST(JsonValidationTest, AcceptsWhatFits) {
    const auto p = reading();
    EXPECT_FALSE(check_json(p, good));
    // Optional members may be left out, nullable ones may be null.
    EXPECT_FALSE(check_json(
        p, R"({"sensor":"s","value":null,"at":"2024-01-01T00:00:00","samples":[{"n":0}]})"));
}

// The first problem comes with its path, position and the rule it broke.
TEST(JsonValidationTest, ReportsTheFirstProblemExactly) {
    const auto p = reading();
    struct bad {
        std::string doc;
        std::string path;
        std::size_t line, column;
        std::string rule;
    };
    const std::vector<bad> cases = {
        {R"({"sensor": "s", "value": 1, "at": "2024-02-29T13:05:09",
 "samples": [{"n": 1}, {"n": 2.5}]})",
         "/samples[2]/n", 2, 30, "type integer"},
        {R"({"sensor": 7, "value": 1, "at": "2024-02-29T13:05:09", "samples": [{"n": 1}]})",
         "/sensor", 1, 12, "type string"},
        {R"({"sensor": "s", "value": 1, "at": "2024-02-30T13:05:09", "samples": [{"n": 1}]})",
         "/at", 1, 35, "type date yyyy-MM-dd'T'HH:mm:ss"},
        {R"({"sensor": "s", "value": 1, "at": "2024-02-29T13:05:09", "samples": [{"n": 1}],
  "colour": "red"})",
         "/colour", 2, 13, "not in the profile"},
        {R"({"sensor": "s", "at": "2024-02-29T13:05:09", "samples": [{"n": 1}]})", "/value", 1, 1,
         "min 1"},
        {R"({"sensor": "s", "value": 1, "at": "2024-02-29T13:05:09", "samples": {"n": 1}})",
         "/samples", 1, 69, "array"},
        {R"({"sensor": "s", "value": 1, "at": "2024-02-29T13:05:09",
"samples": [{"n": 1}, {"n": 1}, {"n": 1}, {"n": 1}]})",
         "/samples[4]", 2, 43, "max 3"},
        {R"({"sensor": ["s"], "value": 1, "at": "2024-02-29T13:05:09", "samples": [{"n": 1}]})",
         "/sensor[1]", 1, 13, "max 1"},
        {R"({"sensor": "s", "value": 1, "at": "2024-02-29T13:05:09", "samples": [{"n": null}]})",
         "/samples[1]/n", 1, 76, "not nullable"},
        {R"(["not", "an", "object"])", "/", 1, 1, "object"},
        {"{\"sensor\": \"s\",\n  \"value\": tru}", "/", 2, 12, "well-formed JSON"},
    };
    for (const auto& c : cases) {
        const auto v = check_json(p, c.doc);
        ASSERT_TRUE(v) << c.doc;
        EXPECT_EQ(v->path, c.path) << c.doc << "\n" << v->describe();
        EXPECT_EQ(v->line, c.line) << v->describe();
        EXPECT_EQ(v->column, c.column) << v->describe();
        EXPECT_EQ(v->rule, c.rule) << v->describe();
        EXPECT_FALSE(v->message.empty());
    }
}

// A profile whose root repeats describes a top-level array.
TEST(JsonValidationTest, TopLevelArrays) {
    auto p = read_profile(
        "profile: Items\nformat: json\nroot:\n  max: unbounded\n  elements:\n"
        "    - {name: sku}\n");
    ASSERT_TRUE(p);
    EXPECT_FALSE(check_json(*p, R"([{"sku":"a"},{"sku":"b"}])"));
    const auto v = check_json(*p, R"([{"sku":"a"},{"sku":2}])");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->path, "/[2]/sku");
    const auto not_array = check_json(*p, R"({"sku":"a"})");
    ASSERT_TRUE(not_array);
    EXPECT_EQ(not_array->rule, "array");
}

// The validator dispatches to the walk for JSON profiles.
TEST(JsonValidationTest, ValidatorChecksJson) {
    const auto v = validator::compile(reading());
    ASSERT_TRUE(v);
    EXPECT_FALSE((*v)->check(good));
    EXPECT_TRUE((*v)->check("{}"));
}

}  // namespace ferry::profiles
