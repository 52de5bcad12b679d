#include "ferry/profiles/element.hpp"
#include "run/run_state.hpp"

namespace ferry::engine {

// Documents whose comparison holds take the true path, the others the false path. A document
// whose values cannot be read as the step's profile types them fails here.
boost::asio::awaitable<void> run_step(const decision_step& step, std::vector<working_document> in,
                                      step_run& call) {
    auto& run = call.run;
    std::vector<working_document> yes, no;
    std::vector<std::pair<working_document, std::string>> failures;
    const auto left_shape = step.left.output_shape();
    const auto right_shape = step.right.output_shape();
    const bool reads_elements =
        step.left.kind == variable_kind::element || step.right.kind == variable_kind::element;
    for (auto& doc : in) {
        // Both sides read one parse of the document.
        std::optional<profiles::element> parsed;
        if (reads_elements) {
            if (auto tree = profiles::parse_document(doc.doc.data)) parsed = std::move(*tree);
        }
        const auto* root = parsed ? &*parsed : nullptr;
        auto left = evaluate(step.left, doc, run.context(), root);
        auto right = left ? evaluate(step.right, doc, run.context(), root) : left;
        boost::system::result<bool, std::string> taken = false;
        if (!left || !right) {
            taken = {boost::system::in_place_error, !left ? left.error() : right.error()};
        } else if (left_shape || right_shape) {
            taken = compare(*left, step.op, *right, left_shape ? *left_shape : *right_shape,
                            right_shape ? *right_shape : *left_shape);
        } else {
            taken = compare(*left, step.op, *right);
        }
        if (!taken) {
            failures.emplace_back(std::move(doc), "decision: " + taken.error());
        } else {
            (*taken ? yes : no).push_back(std::move(doc));
        }
    }
    call.fail(std::move(failures));
    call.out = static_cast<std::uint32_t>(yes.size() + no.size());
    run.watch(step.if_true);
    run.watch(step.if_false);
    co_await run.run_path(step.if_true, std::move(yes));
    run.finished(step.if_true);
    co_await run.run_path(step.if_false, std::move(no));
    run.finished(step.if_false);
}

}  // namespace ferry::engine
