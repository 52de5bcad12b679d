#include <gtest/gtest.h>

#include "ferry/profiles/profile_yaml.hpp"
#include "ferry/profiles/validation.hpp"
#include "ferry/profiles/xsd.hpp"
#include "support/temp_dir.hpp"

namespace ferry::profiles {
namespace {

const std::string samples = std::string(FERRY_TEST_DATA_DIR) + "/profiles/samples/";

}  // namespace

// The W3C primer's purchase order (named types, an included file, a global element used by
// reference, a choice, restrictions of built-in types) becomes a profile...
TEST(XsdImportTest, PurchaseOrderSchema) {
    const auto p = import_xsd(samples + "po.xsd", "purchaseOrder", "");
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->name, "purchaseOrder");
    EXPECT_EQ(p->root.namespace_uri, "urn:example:po");
    EXPECT_EQ(p->find_attribute("@orderDate")->type, value_type::date);
    EXPECT_EQ(p->find("shipTo/zip")->type, value_type::number);
    EXPECT_EQ(p->find("comment")->min, 0u);
    EXPECT_TRUE(p->find("items/item")->repeats());
    EXPECT_EQ(p->find("items/item")->min, 0u);
    EXPECT_EQ(p->find("items/item/quantity")->type, value_type::integer);  // positiveInteger
    EXPECT_EQ(p->find("items/item/gift")->min, 0u);                        // in a choice
    EXPECT_EQ(p->find("items/item/gift")->type, value_type::boolean);
    EXPECT_TRUE(p->find_attribute("items/item/@partNum")->required);
    EXPECT_FALSE(p->find("items/item")->any_order);
}

// ...that accepts the primer's document and refuses a broken one, through the XSD it writes.
TEST(XsdImportTest, ImportedProfileValidatesTheSample) {
    auto p = import_xsd(samples + "po.xsd", "", "PO");
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->name, "PO");
    auto written = read_profile(write_profile(*p));
    ASSERT_TRUE(written);
    const auto v = validator::compile(*written);
    ASSERT_TRUE(v) << v.error();
    const auto doc = test::read_file(samples + "po.xml");
    EXPECT_FALSE((*v)->check(doc)) << (*v)->check(doc)->describe();
    auto broken = doc;
    broken.replace(broken.find("<quantity>1</quantity>"), 22, "<quantity>one</quantity>");
    const auto problem = (*v)->check(broken);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->path, "/purchaseOrder/items/item[1]/quantity");
    EXPECT_EQ(problem->rule, "type integer");
}

TEST(XsdImportTest, Refusals) {
    const auto missing = import_xsd(samples + "nothing.xsd", "", "");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("no such file"), std::string::npos);
    const auto no_root = import_xsd(samples + "po.xsd", "invoice", "");
    ASSERT_FALSE(no_root);
    EXPECT_NE(no_root.error().find("purchaseOrder"), std::string::npos) << no_root.error();
    // An import from the network is refused, not fetched.
    test::temp_dir dir;
    const auto file =
        dir.write("remote.xsd", R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:include schemaLocation="http://127.0.0.1:1/other.xsd"/>
  <xs:element name="a" type="xs:string"/></xs:schema>)");
    const auto remote = import_xsd(file.string(), "", "");
    ASSERT_FALSE(remote);
    EXPECT_NE(remote.error().find("local files only"), std::string::npos) << remote.error();
}

}  // namespace ferry::profiles
