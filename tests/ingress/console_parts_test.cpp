// The console's parts that need no server: escaping, the line diff, the live rates and the
// cross-site guard's rules.
#include <gtest/gtest.h>

#include "console/html.hpp"
#include "console/live_rates.hpp"
#include "console/text_diff.hpp"
#include "http/browser_guard.hpp"

namespace ferry::ingress {
namespace {

using console::diff_line;

TEST(ConsoleHtml, EscapesEverythingThatCouldBecomeMarkup) {
    EXPECT_EQ(console::escape(R"(<script>alert("x") & 'y'</script>)"),
              "&lt;script&gt;alert(&quot;x&quot;) &amp; &apos;y&apos;&lt;/script&gt;");
    EXPECT_EQ(console::tag("td", "<b>", "class=\"x\""), "<td class=\"x\">&lt;b&gt;</td>");
    EXPECT_EQ(console::link("/a?b=1&c=\"", "x<"), "<a href=\"/a?b=1&amp;c=&quot;\">x&lt;</a>");
    EXPECT_EQ(console::url_encode("a b/ü&"), "a%20b%2F%C3%BC%26");
    EXPECT_EQ(console::bytes_text(512), "512 B");
    EXPECT_EQ(console::bytes_text(1536), "1.5 KiB");
    EXPECT_EQ(console::short_time(boost::json::value("2026-12-05T09:50:15.686Z")),
              "2026-12-05 09:50:15");
    EXPECT_EQ(console::short_time(nullptr), "");
    const auto button = console::action_button(
        {.label = "Go", .url = "/_admin/x?a=1&b=2", .confirm = "Sure \"now\"?"});
    EXPECT_EQ(button,
              "<button type=\"button\" data-method=\"POST\" data-url=\"/_admin/x?a=1&amp;b=2\" "
              "data-confirm=\"Sure &quot;now&quot;?\">Go</button>");
}

std::string render(const std::vector<diff_line>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out += l.what == diff_line::kind::same ? ' ' : l.what == diff_line::kind::added ? '+' : '-';
        out += std::string(l.text) + "|";
    }
    return out;
}

TEST(ConsoleDiff, FindsTheShortestLineEdit) {
    const auto lines = console::diff_lines("a\nb\nc\nd\n", "a\nc\nd\ne\n");
    ASSERT_TRUE(lines);
    EXPECT_EQ(render(*lines), " a|-b| c| d|+e|");
    EXPECT_EQ((*lines)[1].old_number, 2u);
    EXPECT_EQ((*lines)[4].new_number, 4u);
    EXPECT_EQ(render(*console::diff_lines("", "x")), "+x|");
    EXPECT_EQ(render(*console::diff_lines("same\n", "same\n")), " same|");
    std::string huge;
    for (int i = 0; i < 4001; ++i) huge += "line\n";
    EXPECT_FALSE(console::diff_lines(huge, "x"));
}

TEST(ConsoleLiveRates, RatesAndP99ComeFromTheLastSamples) {
    request_metrics metrics;
    console::live_rates live;
    const auto start = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
    EXPECT_EQ(live.update(metrics, start).requests_per_second, 0);
    for (int i = 0; i < 100; ++i) metrics.record("createOrder", i < 10 ? 500 : 202, 0.002);
    metrics.record("admin", 200, 5);  // the console's own requests are not counted
    // Within the second: the same figures, no new sample.
    EXPECT_EQ(live.update(metrics, start + std::chrono::milliseconds(500)).requests_per_second, 0);
    const auto figures = live.update(metrics, start + std::chrono::seconds(2));
    EXPECT_DOUBLE_EQ(figures.requests_per_second, 50);  // 100 over 2 s
    EXPECT_DOUBLE_EQ(figures.errors_per_second, 5);
    EXPECT_DOUBLE_EQ(figures.operations.at("createOrder").rate, 50);
    EXPECT_FALSE(figures.operations.contains("admin"));
    ASSERT_TRUE(figures.p99_ms);
    EXPECT_DOUBLE_EQ(*figures.p99_ms, 2.5);  // the bucket bound holding 2 ms
    // Quiet since: no rate.
    const auto quiet = live.update(metrics, start + std::chrono::seconds(3));
    EXPECT_EQ(quiet.requests_per_second, 0);
}

http::request_header<> post_with(std::initializer_list<std::pair<const char*, const char*>> fields,
                                 http::verb method = http::verb::post) {
    http::request_header<> req;
    req.method(method);
    req.target("/_admin/listeners/x/pause");
    req.set(http::field::host, "ferry.example:9090");
    for (const auto& [name, value] : fields) req.set(name, value);
    return req;
}

TEST(BrowserGuard, OnlyTheConsoleChangesStateFromABrowser) {
    const auto refused = [](const http::request_header<>& req, bool tls = false,
                            std::string_view external = {}) {
        return refuse_cross_site(req, tls, external).has_value();
    };
    EXPECT_FALSE(refused(post_with({})));  // the CLI, curl
    EXPECT_FALSE(refused(post_with({{"Origin", "https://evil.example"}}, http::verb::get)));
    EXPECT_TRUE(refused(post_with({{"Origin", "https://evil.example"}, {"X-Ferry-Console", "1"}})));
    EXPECT_TRUE(refused(post_with({{"Origin", "http://ferry.example:9090"}})));
    EXPECT_FALSE(
        refused(post_with({{"Origin", "http://ferry.example:9090"}, {"X-Ferry-Console", "1"}})));
    // The scheme is part of the origin.
    EXPECT_TRUE(refused(
        post_with({{"Origin", "http://ferry.example:9090"}, {"X-Ferry-Console", "1"}}), true));
    // Behind a proxy: the external URL's origin.
    EXPECT_FALSE(
        refused(post_with({{"Origin", "https://ops.example.com"}, {"X-Ferry-Console", "1"}}), false,
                "https://ops.example.com/ferry"));
    EXPECT_TRUE(refused(post_with({{"Sec-Fetch-Site", "cross-site"}, {"X-Ferry-Console", "1"}})));
    EXPECT_FALSE(refused(post_with({{"Sec-Fetch-Site", "same-origin"}, {"X-Ferry-Console", "1"}})));
    EXPECT_TRUE(refused(post_with({{"Origin", "https://evil.example"}, {"X-Ferry-Console", "1"}},
                                  http::verb::delete_)));
}

}  // namespace
}  // namespace ferry::ingress
