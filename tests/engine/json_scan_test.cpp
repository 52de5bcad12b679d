#include "intake/json_scan.hpp"

#include <gtest/gtest.h>

namespace ferry::engine {

// Valid JSON of every kind passes.
TEST(JsonScanTest, AcceptsValidValues) {
    for (const char* text : {"{}", "[]", "0", "-1.5e+3", "\"\\u00e9\\n\"", "true", "null",
                             " {\"a\": [1, {\"b\": null}], \"c\": \"\xc3\xa9\"} "}) {
        EXPECT_FALSE(validate_json(text)) << text;
    }
}

// Each kind of mistake is refused with its line and column.
TEST(JsonScanTest, ReportsPositionOfTheFirstError) {
    const auto e = validate_json("{\n  \"a\": 1,\n  \"b\" 2\n}");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->line, 3u);
    EXPECT_EQ(e->column, 7u);
    EXPECT_NE(e->message.find("':'"), std::string::npos);
    for (const char* bad : {"", "{", "[1,]", "01", "1.", "\"a", "tru", "{\"a\":1}x", "\"\x01\"",
                            "\"\xff\"", "\"\xc0\xaf\"", "\"\\q\""}) {
        EXPECT_TRUE(validate_json(bad)) << bad;
    }
}

// A \u escape of a surrogate must come in a pair, high then low (found by the json_scan fuzz
// target: ferry took lone ones that the JSON readers of every later step refuse).
TEST(JsonScanTest, SurrogatesComeInPairs) {
    EXPECT_FALSE(validate_json("\"\\ud83d\\ude00\""));
    for (const char* bad : {"\"\\ude00\"", "\"\\ud83d\"", "\"\\ud83dx\"", "\"\\ud83d\\u0041\"",
                            "\"\\ud83d\\ud83d\""}) {
        const auto e = validate_json(bad);
        ASSERT_TRUE(e) << bad;
        EXPECT_NE(e->message.find("surrogate"), std::string::npos) << bad << ": " << e->message;
    }
}

// Array elements are split with their original bytes (big numbers and spacing untouched).
TEST(JsonScanTest, SplitKeepsOriginalBytes) {
    std::vector<std::string_view> parts;
    ASSERT_FALSE(split_json_array(" [ {\"n\": 12345678901234567890123} , [1,2] ,\"s\" ] ", parts));
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0], "{\"n\": 12345678901234567890123}");
    EXPECT_EQ(parts[1], "[1,2]");
    EXPECT_EQ(parts[2], "\"s\"");
}

// A top level that is not an array is refused.
TEST(JsonScanTest, SplitRequiresAnArray) {
    std::vector<std::string_view> parts;
    const auto e = split_json_array("{\"a\": 1}", parts);
    ASSERT_TRUE(e);
    EXPECT_NE(e->message.find("array"), std::string::npos);
}

// Hostile nesting is refused instead of exhausting the stack.
TEST(JsonScanTest, DeepNestingIsRefused) {
    const std::string deep(100000, '[');
    const auto e = validate_json(deep);
    ASSERT_TRUE(e);
    EXPECT_NE(e->message.find("nesting"), std::string::npos);
}

}  // namespace ferry::engine
