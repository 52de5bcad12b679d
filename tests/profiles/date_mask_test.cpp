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

TEST(DateMaskTest, ValidMasks) {
    EXPECT_TRUE(valid_mask("yyyy-MM-dd"));
    EXPECT_TRUE(valid_mask("HH'h'mm"));
    EXPECT_FALSE(valid_mask("'yyyy'"));
    EXPECT_FALSE(valid_mask("yyyy'-"));
    EXPECT_FALSE(valid_mask("text"));
}

}  // namespace ferry::profiles
