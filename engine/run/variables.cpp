// Template variables (SPEC §3): their values for one document, element values read as the
// step's profile types them, and templates rendered from them.
#include <algorithm>
#include <cstdlib>

#include "clock.hpp"
#include "ferry/profiles/element.hpp"
#include "ferry/profiles/typed_value.hpp"
#include "id_generator.hpp"
#include "run/steps.hpp"

namespace ferry::engine {
namespace {

// An element value as the step's profile types it: checked, and a date rewritten when the
// variable asks for another mask.
value_result typed_text(const variable& v, std::string text) {
    if (!v.shape || text.empty()) return {boost::system::in_place_value, std::move(text)};
    const auto typed = profiles::read_typed(text, v.shape->type, v.shape->mask);
    if (!typed) {
        return {boost::system::in_place_error,
                "element '" + v.argument + "' holds '" + text + "', which is not " +
                    profiles::describe_type(v.shape->type, v.shape->mask) + " (profile " +
                    v.profile + ")"};
    }
    if (!v.date_out.empty()) {
        return {boost::system::in_place_value, format_date(typed->epoch_ms, v.date_out)};
    }
    return {boost::system::in_place_value, std::move(text)};
}

bool reads_elements(const std::vector<variable>& variables) {
    return std::any_of(variables.begin(), variables.end(),
                       [](const variable& v) { return v.kind == variable_kind::element; });
}

// Every variable but an element's: these always have a value.
std::string plain_value(const variable& v, const working_document& d, const step_context& ctx) {
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
            const auto it = ctx.process_props.find(v.argument);
            return it == ctx.process_props.end() ? std::string() : it->second;
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
        case variable_kind::date:
            return format_date(now_ms(), v.argument);
        case variable_kind::unique:
            return random_hex128();
        case variable_kind::sequence:  // evaluate() asks for the value: it can fail
            break;
        case variable_kind::environment: {
            const char* value = std::getenv(v.argument.c_str());
            return value ? value : "";
        }
        case variable_kind::element:
            break;
    }
    return {};
}

}  // namespace

value_result evaluate(const variable& v, const working_document& d, const step_context& ctx,
                      const profiles::element* source) {
    if (v.kind == variable_kind::sequence) {
        if (!ctx.settings.host) return {boost::system::in_place_value};
        const auto next = ctx.settings.host->next_sequence(v.argument);
        if (!next) {
            return {boost::system::in_place_error, "cannot reserve values of the sequence '" +
                                                       v.argument + "': " + next.error().message()};
        }
        return {boost::system::in_place_value, std::to_string(*next)};
    }
    if (v.kind != variable_kind::element) {
        return {boost::system::in_place_value, plain_value(v, d, ctx)};
    }
    std::optional<profiles::element> parsed;
    if (!source) {
        auto document = profiles::parse_document(d.doc.data);
        if (!document) return {boost::system::in_place_value};  // neither XML nor JSON
        parsed = std::move(*document);
        source = &*parsed;
    }
    auto text = profiles::value_at(*source, v.argument);
    if (!text) return {boost::system::in_place_value};
    return typed_text(v, std::move(*text));
}

std::optional<profiles::element> parse_for(const std::vector<variable>& variables,
                                           const working_document& d) {
    if (!reads_elements(variables)) return std::nullopt;
    auto parsed = profiles::parse_document(d.doc.data);
    if (!parsed) return std::nullopt;
    return std::move(*parsed);
}

value_result render(const message_template& t, const working_document& d, const step_context& ctx,
                    const profiles::element* source) {
    // Element variables share one parse of the document.
    std::optional<profiles::element> parsed;
    if (!source) {
        parsed = parse_for(t.variables(), d);
        if (parsed) source = &*parsed;
    }
    std::vector<std::string> values;
    values.reserve(t.variables().size());
    for (const auto& v : t.variables()) {
        if (v.kind == variable_kind::element && !source) {
            values.emplace_back();  // the document is neither XML nor JSON
            continue;
        }
        auto value = evaluate(v, d, ctx, source);
        if (!value) return value;
        values.push_back(std::move(*value));
    }
    return {boost::system::in_place_value, t.render(values)};
}

}  // namespace ferry::engine
