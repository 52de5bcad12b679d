#include "console/admin_reader.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "service.hpp"

namespace ferry::ingress::console {

std::string admin_answer::problem() const {
    if (!body.is_object()) return "status " + std::to_string(status);
    const auto& o = body.get_object();
    std::string out;
    if (const auto* e = o.if_contains("error"); e && e->is_string()) out = e->get_string();
    if (const auto* d = o.if_contains("detail"); d && d->is_string()) {
        out += (out.empty() ? "" : ": ") + std::string(d->get_string());
    }
    return out.empty() ? "status " + std::to_string(status) : out;
}

boost::asio::awaitable<admin_answer> read_admin(const routed_request& from, std::string target) {
    request req{http::verb::get, target, 11};
    req.keep_alive(true);
    const auto parsed = boost::urls::parse_origin_form(req.target());
    if (!parsed) co_return admin_answer{400, {}};
    auto found = from.svc.routes.match(http::verb::get, parsed->path());
    if (!found.found) co_return admin_answer{404, {}};
    // The view stays valid: the moved request takes its target's storage along.
    routed_request routed{std::move(req), *parsed,      std::move(found.params),
                          from.user,      std::nullopt, from.svc};
    const auto res = co_await found.found->handler(std::move(routed));
    admin_answer out{res.result_int(), {}};
    boost::system::error_code ec;
    out.body = boost::json::parse(res.body(), ec);
    if (ec) out.body = nullptr;
    co_return out;
}

}  // namespace ferry::ingress::console
