// The embedded assets and the redirect from /_console.
#include "console/assets.hpp"
#include "console/console_pages.hpp"
#include "console/page.hpp"
#include "http/responses.hpp"

namespace ferry::ingress::console {

page to_overview(routed_request r) {
    response res{http::status::found, r.req.version()};
    res.set(http::field::location, "/_console/");
    add_console_headers(res);
    res.keep_alive(r.req.keep_alive());
    res.prepare_payload();
    co_return res;
}

page asset(routed_request r) {
    const auto* found = find_asset(r.param("name"));
    if (found == nullptr) {
        co_return error_response(http::status::not_found, "not_found",
                                 "the console has no asset '" + r.param("name") + "'", r.req);
    }
    response res{http::status::ok, r.req.version()};
    res.set(http::field::content_type, found->content_type);
    add_console_headers(res);
    // The assets change only with the binary; a page reload revalidates nothing else.
    res.set(http::field::cache_control, "no-cache");
    res.keep_alive(r.req.keep_alive());
    res.body() = std::string(found->bytes);
    res.prepare_payload();
    co_return res;
}

}  // namespace ferry::ingress::console
