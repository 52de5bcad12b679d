// Listeners and CORS rules as operators write them (ferry/ingress/listener_spec.hpp).
#include "ferry/ingress/listener_spec.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace ferry::ingress {
namespace {

listener_settings parsed(std::string_view text) {
    auto result = parse_listener(text, listener_settings{});
    if (auto* error = std::get_if<std::string>(&result)) ADD_FAILURE() << *error;
    return std::get_if<listener_settings>(&result) ? std::get<listener_settings>(result)
                                                   : listener_settings{};
}

std::string refused(std::string_view text) {
    auto result = parse_listener(text, listener_settings{});
    return std::get_if<std::string>(&result) ? std::get<std::string>(result) : "(accepted)";
}

}  // namespace

TEST(ListenerSpec, PlainHttpsAndIpv6) {
    const auto plain = parsed("http://0.0.0.0:8080");
    EXPECT_EQ(plain.address, "0.0.0.0");
    EXPECT_EQ(plain.port, 8080);
    EXPECT_FALSE(plain.tls);
    EXPECT_EQ(plain.role, listener_role::all);

    const auto tls = parsed(
        "https://127.0.0.1:8443?cert=/etc/s.pem&key=/etc/s.key&client_ca=/etc/ca.pem"
        "&role=services&max_connections=50&rate_limit=12.5&rate_burst=40");
    ASSERT_TRUE(tls.tls);
    EXPECT_EQ(tls.tls->certificate_file, "/etc/s.pem");
    EXPECT_EQ(tls.tls->private_key_file, "/etc/s.key");
    EXPECT_EQ(tls.tls->client_ca_file, "/etc/ca.pem");
    EXPECT_EQ(tls.role, listener_role::services);
    EXPECT_EQ(tls.max_connections, 50u);
    EXPECT_DOUBLE_EQ(tls.rate_limit, 12.5);
    EXPECT_DOUBLE_EQ(tls.rate_burst, 40);

    const auto v6 = parsed("http://[::1]:9091?role=admin");
    EXPECT_EQ(v6.address, "::1");
    EXPECT_EQ(v6.role, listener_role::admin);
}

TEST(ListenerSpec, MistakesAreNamed) {
    EXPECT_NE(refused("ftp://127.0.0.1:1").find("http or https"), std::string::npos);
    EXPECT_NE(refused("http://127.0.0.1").find("port"), std::string::npos);
    EXPECT_NE(refused("https://127.0.0.1:1?cert=a.pem").find("key=FILE"), std::string::npos);
    EXPECT_NE(refused("http://127.0.0.1:1?cert=a.pem").find("https listeners only"),
              std::string::npos);
    EXPECT_NE(refused("http://127.0.0.1:1?role=boss").find("role"), std::string::npos);
    EXPECT_NE(refused("http://127.0.0.1:1?colour=red").find("unknown setting 'colour'"),
              std::string::npos);
    EXPECT_NE(refused("http://127.0.0.1:1?max_connections=0").find("positive"), std::string::npos);
    EXPECT_NE(refused("not a url").find("not a listener URL"), std::string::npos);
}

TEST(CorsFile, RulesInOrder) {
    test::temp_dir dir;
    dir.write("cors.yaml", R"(cors:
  - origin: https://app.example.com
    methods: [GET, POST]
    headers: [Content-Type, Authorization]
    expose_headers: X-Execution-Id
    credentials: true
    max_age: 120
  - origin: "*"
)");
    auto rules = load_cors_rules(dir.str() + "/cors.yaml");
    ASSERT_TRUE(std::get_if<std::vector<cors_rule>>(&rules)) << std::get<std::string>(rules);
    const auto& list = std::get<std::vector<cors_rule>>(rules);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].origin, "https://app.example.com");
    EXPECT_EQ(list[0].headers.size(), 2u);
    EXPECT_EQ(list[0].expose_headers, std::vector<std::string>{"X-Execution-Id"});
    EXPECT_TRUE(list[0].credentials);
    EXPECT_EQ(list[0].max_age_seconds, 120);
    EXPECT_EQ(list[1].methods, (std::vector<std::string>{"GET", "POST"}));
}

TEST(CorsFile, MistakesNameTheLine) {
    test::temp_dir dir;
    dir.write("bad.yaml", "cors:\n  - origin: https://a.example\n    colour: red\n");
    auto bad = load_cors_rules(dir.str() + "/bad.yaml");
    ASSERT_TRUE(std::get_if<std::string>(&bad));
    EXPECT_NE(std::get<std::string>(bad).find("bad.yaml:3:"), std::string::npos)
        << std::get<std::string>(bad);
    dir.write("star.yaml", "cors:\n  - origin: '*'\n    credentials: true\n");
    auto star = load_cors_rules(dir.str() + "/star.yaml");
    ASSERT_TRUE(std::get_if<std::string>(&star));
    EXPECT_NE(std::get<std::string>(star).find("cannot allow credentials"), std::string::npos);
    auto missing = load_cors_rules(dir.str() + "/none.yaml");
    ASSERT_TRUE(std::get_if<std::string>(&missing));
}

}  // namespace ferry::ingress
