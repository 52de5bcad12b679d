#include "ferry/profiles/typed_value.hpp"
#include "run/run_state.hpp"

namespace ferry::engine {
namespace {

// The route a value takes: by text, or by typed value when the profile types it.
std::optional<std::size_t> route_of(const route_step& r, const std::string& value,
                                    const std::optional<profiles::value_shape>& shape,
                                    std::string& error) {
    std::optional<profiles::typed_value> typed;
    if (shape && !value.empty()) {
        auto read = profiles::read_typed(value, shape->type, shape->mask);
        if (!read) {
            error = "the value " + read.error();
            return std::nullopt;
        }
        typed = std::move(*read);
    }
    for (std::size_t i = 0; i < r.routes.size(); ++i) {
        const auto& route = r.routes[i];
        const bool match =
            // `== 0` on an ordering, not a null pointer (a clang-tidy 14 false positive).
            typed && route.typed
                ? route.typed->compare(*typed) == 0  // NOLINT(modernize-use-nullptr)
                : route.value == value;
        if (match) return i;
    }
    return std::nullopt;
}

}  // namespace

// Each document takes the first route whose value matches its own, or the otherwise path.
boost::asio::awaitable<void> run_step(const route_step& step, std::vector<working_document> in,
                                      step_run& call) {
    auto& run = call.run;
    std::vector<std::vector<working_document>> taken(step.routes.size());
    std::vector<working_document> rest;
    std::vector<std::pair<working_document, std::string>> failures;
    const auto shape = step.value.output_shape();
    for (auto& doc : in) {
        const auto value = evaluate(step.value, doc, run.context());
        std::string error = value ? std::string() : value.error();
        const auto match = value ? route_of(step, *value, shape, error) : std::nullopt;
        if (!error.empty()) {
            failures.emplace_back(std::move(doc), "route: " + error);
        } else if (!match) {
            rest.push_back(std::move(doc));
        } else {
            taken[*match].push_back(std::move(doc));
        }
    }
    call.out = static_cast<std::uint32_t>(in.size() - failures.size());
    call.fail(std::move(failures));
    for (const auto& route : step.routes) run.watch(route.steps);
    run.watch(step.otherwise);
    for (std::size_t i = 0; i < step.routes.size(); ++i) {
        co_await run.run_path(step.routes[i].steps, std::move(taken[i]));
        run.finished(step.routes[i].steps);
    }
    co_await run.run_path(step.otherwise, std::move(rest));
    run.finished(step.otherwise);
}

}  // namespace ferry::engine
