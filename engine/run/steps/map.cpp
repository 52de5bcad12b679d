#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "ferry/profiles/element.hpp"
#include "ferry/profiles/typed_value.hpp"
#include "run/steps.hpp"

namespace ferry::engine {
namespace {

using profiles::element;
using profiles::value_kind;

/// The element at `path` below `root`, created (with its parents) when missing.
element& ensure(element& root, std::string_view path) {
    element* at = &root;
    while (!path.empty()) {
        const auto slash = path.find('/');
        const auto segment = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
        auto it = std::find_if(at->children.begin(), at->children.end(),
                               [&](const element& c) { return c.name == segment; });
        if (it == at->children.end()) {
            element child;
            child.name = std::string(segment);
            at->children.push_back(std::move(child));
            it = at->children.end() - 1;
        }
        at = &*it;
    }
    return *at;
}

std::pair<std::string_view, std::string_view> split_last(std::string_view path) {
    const auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return {{}, path};
    return {path.substr(0, slash), path.substr(slash + 1)};
}

// A number as JSON writes it: no surrounding blanks, no '+', a digit on both sides of the point.
std::string json_number_text(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    text = first == std::string_view::npos
               ? std::string_view()
               : text.substr(first, text.find_last_not_of(" \t\r\n") + 1 - first);
    std::string out;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        if (text.front() == '-') out.push_back('-');
        text.remove_prefix(1);
    }
    if (text.starts_with('.')) out.push_back('0');
    const auto point = text.find('.');
    out += text;
    if (point != std::string_view::npos &&
        (point + 1 == text.size() || !std::isdigit(static_cast<unsigned char>(text[point + 1])))) {
        out.insert(out.size() - (text.size() - point - 1), "0");
    }
    return out;
}

/// Fills `target` from `source` by the field list; returns the first problem, if any.
class mapper {
public:
    mapper(const map_step& step, const working_document& d, const step_context& ctx)
        : step_(step), d_(d), ctx_(ctx) {}

    std::string apply(const std::vector<map_field>& fields, const element& source,
                      element& target) {
        for (const auto& f : fields) {
            if (auto problem = apply(f, source, target); !problem.empty()) return problem;
        }
        return {};
    }

private:
    std::string apply(const map_field& f, const element& source, element& target) {
        if (!f.each.empty()) {
            const auto [parent_path, name] = split_last(f.to);
            auto& parent = ensure(target, parent_path);
            for (const auto* item : profiles::select(source, f.each)) {
                element child;
                child.name = std::string(name);
                child.array = true;
                if (auto problem = apply(f.fields, *item, child); !problem.empty()) return problem;
                parent.children.push_back(std::move(child));
            }
            return {};
        }
        std::optional<std::string> value;
        value_kind kind = value_kind::text;
        const element* subtree = nullptr;
        bool from_source = false;  // the value is the source's (or its default), in its shape
        if (!f.from.empty()) {
            if (f.from.find('@') != std::string::npos) {
                value = profiles::value_at(source, f.from);
            } else if (const auto found = profiles::select(source, f.from); !found.empty()) {
                const auto* e = found.front();
                if (!e->is_leaf()) {
                    subtree = e;
                } else if (e->kind != value_kind::null) {
                    value = e->text;
                    kind = e->kind;
                }
            }
            from_source = true;
        } else if (f.constant) {
            value = *f.constant;
        } else if (f.value) {
            auto rendered = render(*f.value, d_, ctx_, &source);
            if (!rendered) return "field '" + f.to + "': " + rendered.error();
            value = std::move(*rendered);
        }
        if (subtree) {
            // A whole structure moves under the new name.
            auto& slot = ensure(target, f.to);
            const auto name = slot.name;
            slot = *subtree;
            slot.name = name;
            slot.namespace_uri.clear();
            return {};
        }
        if (!value) {
            if (f.fallback) {
                value = *f.fallback;
                kind = value_kind::text;
            } else if (f.required) {
                return "field '" + f.to + "': the source '" + f.from + "' is absent";
            } else {
                return {};
            }
        }
        if (!f.date_from.empty()) {
            const auto when = parse_date(*value, f.date_from);
            if (!when) {
                return "field '" + f.to + "': '" + *value + "' is not a date like '" + f.date_from +
                       "'";
            }
            *value = format_date(*when, f.date_to);
            kind = value_kind::text;
        } else if (from_source && f.source_shape && !value->empty()) {
            if (auto problem = from_source_shape(f, *value, kind); !problem.empty()) return problem;
        }
        switch (f.apply) {
            case map_field::function::upper:
                for (auto& c : *value)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                break;
            case map_field::function::lower:
                for (auto& c : *value)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                break;
            case map_field::function::trim: {
                const auto first = value->find_first_not_of(" \t\r\n");
                const auto last = value->find_last_not_of(" \t\r\n");
                *value = first == std::string::npos ? std::string()
                                                    : value->substr(first, last - first + 1);
                break;
            }
            case map_field::function::none:
                break;
        }
        switch (f.type) {
            case map_field::json_type::keep:
                if (f.target_shape) {
                    if (auto problem = to_target_shape(f, *value, kind); !problem.empty()) {
                        return problem;
                    }
                }
                break;
            case map_field::json_type::string:
                kind = value_kind::text;
                break;
            case map_field::json_type::number:
                // The same number rule as a profile's number type, written as JSON writes it.
                if (!profiles::read_typed(*value, profiles::value_type::number, "")) {
                    return "field '" + f.to + "': '" + *value + "' is not a number";
                }
                *value = json_number_text(*value);
                kind = value_kind::number;
                break;
            case map_field::json_type::boolean:
                if (*value != "true" && *value != "false") {
                    return "field '" + f.to + "': '" + *value + "' is not true or false";
                }
                kind = value_kind::boolean;
                break;
        }
        const auto [parent_path, name] = split_last(f.to);
        if (name.starts_with('@')) {
            auto& parent = ensure(target, parent_path);
            auto& attrs = parent.attributes;
            const std::string key(name.substr(1));
            const auto it = std::find_if(attrs.begin(), attrs.end(),
                                         [&](const auto& a) { return a.first == key; });
            if (it == attrs.end()) {
                attrs.emplace_back(key, std::move(*value));
            } else {
                it->second = std::move(*value);
            }
            return {};
        }
        auto& slot = ensure(target, f.to);
        slot.text = std::move(*value);
        slot.kind = kind;
        return {};
    }

    // The source value read as the source profile types it; a date is rewritten in the
    // target profile's mask when that differs.
    std::string from_source_shape(const map_field& f, std::string& value, value_kind& kind) const {
        const auto& shape = *f.source_shape;
        const auto typed = profiles::read_typed(value, shape.type, shape.mask);
        if (!typed) {
            return "field '" + f.to + "': the source '" + f.from + "' holds '" + value +
                   "', which is not " + profiles::describe_type(shape.type, shape.mask) +
                   " (profile " + step_.profile + ")";
        }
        if (shape.type == profiles::value_type::date && f.target_shape &&
            f.target_shape->type == profiles::value_type::date &&
            f.target_shape->mask != shape.mask) {
            value = format_date(typed->epoch_ms, f.target_shape->mask);
            kind = value_kind::text;
        }
        return {};
    }

    // The value checked against the target profile's type, which also sets its JSON type. An
    // empty value for a number, boolean or date becomes null.
    std::string to_target_shape(const map_field& f, std::string& value, value_kind& kind) const {
        const auto& shape = *f.target_shape;
        if (shape.type == profiles::value_type::string) {
            kind = value_kind::text;
            return {};
        }
        if (value.empty()) {
            kind = value_kind::null;
            return {};
        }
        const auto typed = profiles::read_typed(value, shape.type, shape.mask);
        if (!typed) {
            return "field '" + f.to + "': " + typed.error() + ", as the target profile " +
                   step_.target_profile + " needs";
        }
        switch (shape.type) {
            case profiles::value_type::number:
            case profiles::value_type::integer:
                value = json_number_text(value);
                kind = value_kind::number;
                break;
            case profiles::value_type::boolean:
                value = typed->boolean ? "true" : "false";
                kind = value_kind::boolean;
                break;
            default:
                kind = value_kind::text;
        }
        return {};
    }

    const map_step& step_;
    const working_document& d_;
    const step_context& ctx_;
};

}  // namespace

step_output run_step(const map_step& step, std::vector<working_document> in, step_context& ctx) {
    step_output out;
    for (auto& d : in) {
        auto source = profiles::parse_document(d.doc.data);
        if (!source) {
            out.failed.emplace_back(std::move(d), "map: " + source.error());
            continue;
        }
        const std::string source_root = source->name;
        element target;
        if (step.fields.empty()) {
            target = std::move(*source);  // a conversion of the whole document
        } else if (auto problem = mapper(step, d, ctx).apply(step.fields, *source, target);
                   !problem.empty()) {
            out.failed.emplace_back(std::move(d), "map: " + problem);
            continue;
        }
        if (step.output == map_step::format::xml) {
            target.name = !step.root.empty()     ? step.root
                          : !source_root.empty() ? source_root
                                                 : std::string("Object");
            if (!step.namespace_uri.empty() || !step.fields.empty()) {
                target.namespace_uri = step.namespace_uri;
            }
            d.doc.data = profiles::write_xml(target, false);
        } else {
            d.doc.data = profiles::write_json(target);
        }
        out.passed.push_back(std::move(d));
    }
    return out;
}

}  // namespace ferry::engine
