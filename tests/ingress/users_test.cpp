#include "ferry/ingress/users.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace ferry::ingress {
namespace {
boost::asio::ip::address ip(const char* text) { return boost::asio::ip::make_address(text); }
}  // namespace

TEST(IpRange, MatchesByPrefixForBothFamilies) {
    const auto ten = ip_range::parse("10.0.0.0/8");
    ASSERT_TRUE(ten);
    EXPECT_TRUE(ten->contains(ip("10.200.3.4")));
    EXPECT_FALSE(ten->contains(ip("11.0.0.1")));
    EXPECT_TRUE(ten->contains(ip("::ffff:10.1.2.3")));  // v4-mapped, as dual-stack sockets see it
    EXPECT_FALSE(ten->contains(ip("::1")));
    const auto one = ip_range::parse("127.0.0.2");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->prefix, 32u);
    EXPECT_TRUE(one->contains(ip("127.0.0.2")));
    EXPECT_FALSE(one->contains(ip("127.0.0.1")));
    const auto odd = ip_range::parse("192.168.1.128/25");
    ASSERT_TRUE(odd);
    EXPECT_TRUE(odd->contains(ip("192.168.1.200")));
    EXPECT_FALSE(odd->contains(ip("192.168.1.100")));
    const auto v6 = ip_range::parse("2001:db8::/32");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->contains(ip("2001:db8:1::5")));
    EXPECT_FALSE(v6->contains(ip("2001:db9::5")));
    EXPECT_TRUE(ip_range::parse("0.0.0.0/0")->contains(ip("8.8.8.8")));
    for (const char* bad : {"10.0.0.0/33", "10.0.0/8", "x", "10.0.0.0/", "::1/129", "1.2.3.4/8x"}) {
        EXPECT_FALSE(ip_range::parse(bad)) << bad;
    }
}

TEST(UserDirectory, TokensAreShownOnceAndStoredHashed) {
    test::temp_dir dir;
    const auto path = dir.str() + "/users.json";
    user_directory users;
    user alice;
    alice.name = "alice";
    alice.ip_allow = std::vector<ip_range>{*ip_range::parse("127.0.0.0/8")};
    alice.operations = {"createOrder"};
    ASSERT_TRUE(users.add(alice));
    EXPECT_FALSE(users.add(alice));  // taken
    user bad;
    bad.name = "no spaces";
    EXPECT_FALSE(users.add(bad));
    const auto token = users.issue_token("alice", 1);
    ASSERT_TRUE(token);
    EXPECT_EQ(token->size(), 64u);
    EXPECT_FALSE(users.issue_token("bob", 1));
    ASSERT_TRUE(users.save(path));

    const auto text = test::read_file(path);
    EXPECT_EQ(text.find(*token), std::string::npos);  // only its hash is written

    auto loaded = user_directory::load(path);
    ASSERT_TRUE(loaded);
    const auto* found = loaded->authenticate("alice", *token);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->operations, std::vector<std::string>{"createOrder"});
    ASSERT_TRUE(found->ip_allow);
    EXPECT_EQ(found->ip_allow->at(0).to_string(), "127.0.0.0/8");
    EXPECT_EQ(loaded->authenticate("alice", "wrong"), nullptr);
    EXPECT_EQ(loaded->authenticate("bob", *token), nullptr);

    const auto second = loaded->issue_token("alice", 2);
    EXPECT_NE(loaded->authenticate("alice", *second), nullptr);
    EXPECT_NE(loaded->authenticate("alice", *token), nullptr);  // both stay valid
    EXPECT_TRUE(loaded->remove("alice"));
    EXPECT_EQ(loaded->authenticate("alice", *token), nullptr);
}

TEST(UserDirectory, MissingFileIsNoUsersAndBadFileIsAnError) {
    test::temp_dir dir;
    const auto none = user_directory::load(dir.str() + "/users.json");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->users().empty());
    dir.write("broken.json", "{not json");
    EXPECT_FALSE(user_directory::load(dir.str() + "/broken.json"));
    dir.write("badip.json", R"({"users":[{"name":"a","ip_allow":["10.0.0.0/99"]}]})");
    EXPECT_FALSE(user_directory::load(dir.str() + "/badip.json"));
}

}  // namespace ferry::ingress
