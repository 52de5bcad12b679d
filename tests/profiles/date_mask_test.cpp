#include "ferry/profiles/date_mask.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace ferry::profiles {

// The pattern of a mask accepts what format_date writes and refuses impossible fields.
TEST(DateMaskTest, PatternFollowsTheMask) {
    const std::string mask = "yyyy-MM-dd'T'HH:mm:ss.SSS";
    // XML Schema patterns are anchored; std::regex_match is too.
    const std::regex pattern(mask_pattern(mask));
    EXPECT_TRUE(std::regex_match(format_date(1709211909007, mask), pattern));
    EXPECT_TRUE(std::regex_match("2024-12-31T23:59:59.999", pattern));
    EXPECT_FALSE(std::regex_match("2024-13-01T00:00:00.000", pattern));
    EXPECT_FALSE(std::regex_match("2024-12-32T00:00:00.000", pattern));
    EXPECT_FALSE(std::regex_match("2024-12-31 00:00:00.000", pattern));
    EXPECT_EQ(mask_pattern("dd.MM.yy"), "(0[1-9]|[12][0-9]|3[01])\\.(0[1-9]|1[0-2])\\.[0-9]{2}");
}

// What no date has is refused, never wrapped around: milliseconds past 999, a field of more
// digits than an int holds (fuzz_message_template's finding), a year whose milliseconds do not
// fit in 64 bits. Leading zeros are no such thing.
TEST(DateMaskTest, ParseRefusesValuesNoDateHas) {
    const auto day = parse_date("2024-02-28", "yyyy-MM-dd");
    ASSERT_TRUE(day);
    EXPECT_EQ(parse_date("2024-02-28 0123", "yyyy-MM-dd SSSS"), *day + 123);
    EXPECT_FALSE(parse_date("2024-02-28 1234", "yyyy-MM-dd SSSS"));
    EXPECT_FALSE(parse_date("2024-02-28T12:30:00.1111111111", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSS"));
    EXPECT_FALSE(parse_date("99999999999-01-01", "yyyyyyyyyyy-MM-dd"));
    EXPECT_FALSE(parse_date("999999999-01-01", "yyyyyyyyy-MM-dd"));
    EXPECT_EQ(parse_date("0000000000002024-02-28", "yyyyyyyyyyyyyyyy-MM-dd"), day);
    EXPECT_EQ(parse_date("10000-01-01", "yyyyy-MM-dd"), 253402300800000);
}

TEST(DateMaskTest, ValidMasks) {
    EXPECT_TRUE(valid_mask("yyyy-MM-dd"));
    EXPECT_TRUE(valid_mask("HH'h'mm"));
    EXPECT_FALSE(valid_mask("'yyyy'"));
    EXPECT_FALSE(valid_mask("yyyy'-"));
    EXPECT_FALSE(valid_mask("text"));
}

}  // namespace ferry::profiles
