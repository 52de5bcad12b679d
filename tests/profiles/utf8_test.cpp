// Well-formed UTF-8 (RFC 3629), as JSON answers and XML problems need it.
#include "ferry/profiles/utf8.hpp"

#include <gtest/gtest.h>

namespace ferry::profiles {
namespace {

TEST(Utf8Test, OnlyWellFormedUtf8IsValid) {
    EXPECT_TRUE(valid_utf8(""));
    EXPECT_TRUE(valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
    EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
    EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));      // overlong, three bytes
    EXPECT_FALSE(valid_utf8("\xf0\x80\x80\xaf"));  // overlong, four bytes
    EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate
    EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(valid_utf8("\xff"));
    EXPECT_FALSE(valid_utf8("\x80"));      // a continuation alone
    EXPECT_FALSE(valid_utf8("\xe2\x82"));  // cut short
}

TEST(Utf8Test, AsUtf8ReplacesWhatIsNotWellFormed) {
    EXPECT_EQ(as_utf8("plain"), "plain");
    EXPECT_EQ(as_utf8("a\xc0\xaf"
                      "b"),
              "a\xef\xbf\xbd\xef\xbf\xbd"
              "b");
    EXPECT_EQ(as_utf8("\xe2\x82\xac\xff"), "\xe2\x82\xac\xef\xbf\xbd");
    EXPECT_TRUE(valid_utf8(as_utf8("\xed\xa0\x80\xf4\x90")));
}

TEST(Utf8Test, FirstInvalidUtf8IsWhereTheTroubleStarts) {
    EXPECT_EQ(first_invalid_utf8("abc"), std::string_view::npos);
    EXPECT_EQ(first_invalid_utf8("ab\xc3\xa9\xc0\xaf"), 4u);
    EXPECT_EQ(first_invalid_utf8("\xff"), 0u);
}

}  // namespace
}  // namespace ferry::profiles
