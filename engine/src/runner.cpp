#include "ferry/engine/runner.hpp"

#include <chrono>

#include "clock.hpp"
#include "steps.hpp"

namespace ferry::engine {

std::string evaluate(const variable& v, const working_document& d, const step_context& ctx) {
    switch (v.kind) {
        case variable_kind::static_text:
            return v.argument;
        case variable_kind::current_data:
            return d.doc.data;
        case variable_kind::document_property: {
            const auto it = d.doc.props.find(v.argument);
            return it == d.doc.props.end() ? std::string() : it->second;
        }
        case variable_kind::process_property: {
            const auto it = ctx.execution.process_props.find(v.argument);
            return it == ctx.execution.process_props.end() ? std::string() : it->second;
        }
        case variable_kind::execution:
            if (v.argument == "execution_id") return ctx.execution.id;
            if (v.argument == "process_name") return ctx.p.name;
            if (v.argument == "process_version") return std::to_string(ctx.p.version);
            if (v.argument == "document_index") return std::to_string(d.index);
            if (v.argument == "document_id") {
                return d.index < ctx.execution.document_ids.size()
                           ? ctx.execution.document_ids[d.index]
                           : std::string();
            }
            return {};
        case variable_kind::date: {
            return format_date(now_ms(), v.argument);
        }
    }
    return {};
}

std::string render(const message_template& t, const working_document& d, const step_context& ctx) {
    std::vector<std::string> values;
    values.reserve(t.variables().size());
    for (const auto& v : t.variables()) values.push_back(evaluate(v, d, ctx));
    return t.render(values);
}

run_outcome run_process(const process& p, const store::execution_record& execution,
                        std::vector<working_document> documents, const run_settings& settings) {
    const step_context ctx{p, execution, settings};
    run_outcome outcome;
    for (const auto& s : p.steps) {
        auto result = std::visit(
            [&](const auto& action) { return run_step(action, std::move(documents), ctx); },
            s.action);
        if (!result) {
            outcome.ok = false;
            outcome.failed_step = s.id;
            outcome.error = std::move(result.error());
            return outcome;
        }
        documents = std::move(*result);
    }
    outcome.outputs = std::move(documents);
    return outcome;
}

}  // namespace ferry::engine
