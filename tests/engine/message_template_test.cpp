#include "ferry/engine/model/message_template.hpp"

#include <gtest/gtest.h>

namespace ferry::engine {

std::string render(std::string_view text, std::vector<std::string> values) {
    auto t = message_template::parse(text, values.size());
    EXPECT_TRUE(t) << (t ? "" : t.error());
    return t ? t->render(values) : "";
}

// Placeholders are filled by position, any number of times.
TEST(MessageTemplateTest, FillsPlaceholders) {
    EXPECT_EQ(render("{1}-{2}-{1}", {"a", "b"}), "a-b-a");
}

// Quote rules: '' is a quote, text in quotes is literal, a lone quote is dropped.
TEST(MessageTemplateTest, QuoteRules) {
    EXPECT_EQ(render("it''s {1}", {"x"}), "it's x");
    EXPECT_EQ(render("'{'\"id\": {1}'}'", {"7"}), "{\"id\": 7}");
    EXPECT_EQ(render("'{1}' is {1}", {"v"}), "{1} is v");
    EXPECT_EQ(render("dont'", {}), "dont");
}

// Mistakes are found at load time with a sentence naming them.
TEST(MessageTemplateTest, MistakesAreReported) {
    EXPECT_NE(message_template::parse("{3}", 2).error().find("defines 2"), std::string::npos);
    EXPECT_NE(message_template::parse("{a}", 1).error().find("not a variable number"),
              std::string::npos);
    EXPECT_NE(message_template::parse("x {1", 1).error().find("closing"), std::string::npos);
}

// Date masks use the Java letters; quoted text is literal.
TEST(MessageTemplateTest, FormatsDates) {
    // 2024-02-29 13:05:09.007 UTC
    const std::int64_t ms = 1709211909007;
    EXPECT_EQ(format_date(ms, "yyyy-MM-dd'T'HH:mm:ss.SSS"), "2024-02-29T13:05:09.007");
    EXPECT_EQ(format_date(ms, "yyMMdd"), "240229");
}

}  // namespace ferry::engine
