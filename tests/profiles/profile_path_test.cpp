// Element paths resolved against a profile, as steps typed by a profile check them at load.
#include "ferry/profiles/profile_path.hpp"

#include <gtest/gtest.h>

#include "ferry/profiles/element.hpp"
#include "ferry/profiles/profile_yaml.hpp"

namespace ferry::profiles {
namespace {

profile order_profile() {
    auto p = read_profile(R"(profile: Order
format: xml
root:
  name: Order
  attributes: [{name: id, type: integer}]
  elements:
    - {name: placed, type: date, mask: "dd.MM.yyyy"}
    - name: line
      max: unbounded
      attributes: [{name: sku}]
      elements:
        - {name: qty, type: integer}
)");
    EXPECT_TRUE(p) << p.error().message;
    return std::move(*p);
}

}  // namespace

// Leaves and attributes give their type and mask; parents are structures; "." and namespace
// prefixes are read the way documents are.
TEST(ProfilePathTest, ResolvesLeavesAttributesAndStructures) {
    const auto p = order_profile();
    const auto placed = resolve_path(p.root, "o:placed");
    ASSERT_TRUE(placed);
    EXPECT_EQ(placed->shape().type, value_type::date);
    EXPECT_EQ(placed->shape().mask, "dd.MM.yyyy");
    const auto id = resolve_path(p.root, "@id");
    ASSERT_TRUE(id);
    EXPECT_EQ(id->shape().type, value_type::integer);
    const auto line = resolve_path(p.root, "./line");
    ASSERT_TRUE(line);
    EXPECT_TRUE(line->structure());
    EXPECT_TRUE(line->repeats());
    // Relative to an item, as inside a map's each.
    const auto qty = resolve_path(*line->element, "qty");
    ASSERT_TRUE(qty);
    EXPECT_EQ(qty->shape().type, value_type::integer);
    EXPECT_EQ(resolve_path(*line->element, "@sku")->shape().type, value_type::string);
}

// A path that is not there says which step is missing and what is there instead.
TEST(ProfilePathTest, MistakesSayWhatIsThere) {
    const auto p = order_profile();
    EXPECT_EQ(resolve_path(p.root, "lines/qty").error(),
              "'Order' has no element 'lines' (it has placed, line)");
    EXPECT_EQ(resolve_path(p.root, "line/@id").error(),
              "'line' has no attribute @id (it has the attributes @sku)");
    EXPECT_EQ(resolve_path(p.root, "placed/day").error(),
              "'placed' has no element 'day' (it is a value without elements)");
    EXPECT_EQ(resolve_path(p.root, "@id/x").error(), "an attribute (@id) must end the path");
}

// Documents are read with the same rule: a prefix in a path names the local element.
TEST(ProfilePathTest, DocumentPathsIgnorePrefixesToo) {
    const auto doc =
        parse_document(R"(<o:Order xmlns:o="urn:o"><o:placed>01.02.2026</o:placed></o:Order>)");
    ASSERT_TRUE(doc);
    EXPECT_EQ(value_at(*doc, "o:placed").value_or("absent"), "01.02.2026");
    EXPECT_EQ(value_at(*doc, "placed").value_or("absent"), "01.02.2026");
}

}  // namespace ferry::profiles
