#include "ferry/profiles/typed_value.hpp"

#include <gtest/gtest.h>

namespace ferry::profiles {

// Numbers compare by value, not by their text: "9.5" < "10", "1200.00" == "1200".
TEST(TypedValueTest, NumbersCompareByValue) {
    const auto a = read_typed("9.5", value_type::number, "");
    const auto b = read_typed("10", value_type::integer, "");
    const auto c = read_typed(" 1200.00 ", value_type::number, "");
    const auto d = read_typed("1.2e3", value_type::number, "");
    ASSERT_TRUE(a && b && c && d);
    EXPECT_EQ(a->compare(*b), std::partial_ordering::less);
    EXPECT_EQ(c->compare(*d), std::partial_ordering::equivalent);
    EXPECT_EQ(c->text, " 1200.00 ");  // the text as written is kept
    EXPECT_FALSE(read_typed("12a", value_type::number, ""));
    EXPECT_FALSE(read_typed("1.5", value_type::integer, ""));
    EXPECT_EQ(read_typed("", value_type::number, "").error(), "'' is not a number");
}

// Dates compare as points in time through their masks, whatever order the mask writes.
TEST(TypedValueTest, DatesCompareThroughTheirMasks) {
    const auto early = read_typed("31.12.2025", value_type::date, "dd.MM.yyyy");
    const auto late = read_typed("02.01.2026", value_type::date, "dd.MM.yyyy");
    const auto same = read_typed("2026-01-02", value_type::date, "yyyy-MM-dd");
    ASSERT_TRUE(early && late && same);
    EXPECT_EQ(early->compare(*late), std::partial_ordering::less);  // byte-wise it is greater
    EXPECT_EQ(late->compare(*same), std::partial_ordering::equivalent);
    const auto bad = read_typed("30.02.2026", value_type::date, "dd.MM.yyyy");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), "'30.02.2026' is not a date written dd.MM.yyyy");
}

TEST(TypedValueTest, BooleansAndStrings) {
    EXPECT_TRUE(read_typed("1", value_type::boolean, "")->boolean);
    EXPECT_FALSE(read_typed("false", value_type::boolean, "")->boolean);
    EXPECT_FALSE(read_typed("yes", value_type::boolean, ""));
    const auto s = read_typed("b", value_type::string, "");
    const auto t = read_typed("a", value_type::string, "");
    EXPECT_EQ(s->compare(*t), std::partial_ordering::greater);
    // Different kinds do not order.
    EXPECT_EQ(s->compare(*read_typed("1", value_type::number, "")),
              std::partial_ordering::unordered);
}

}  // namespace ferry::profiles
