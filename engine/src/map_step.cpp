#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "ferry/profiles/element.hpp"
#include "steps.hpp"

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

bool is_number(const std::string& text) {
    if (text.empty()) return false;
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && !std::isspace(static_cast<unsigned char>(text[0]));
}

/// Fills `target` from `source` by the field list; returns the first problem, if any.
class mapper {
public:
    mapper(const working_document& d, const step_context& ctx) : d_(d), ctx_(ctx) {}

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
        } else if (f.constant) {
            value = *f.constant;
        } else if (f.value) {
            value = render(*f.value, d_, ctx_, &source);
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
                return "field '" + f.to + "': '" + *value + "' is not a date like '" +
                       f.date_from + "'";
            }
            *value = format_date(*when, f.date_to);
            kind = value_kind::text;
        }
        switch (f.apply) {
            case map_field::function::upper:
                for (auto& c : *value) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                break;
            case map_field::function::lower:
                for (auto& c : *value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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
                break;
            case map_field::json_type::string:
                kind = value_kind::text;
                break;
            case map_field::json_type::number:
                if (!is_number(*value)) return "field '" + f.to + "': '" + *value + "' is not a number";
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
        } else if (auto problem = mapper(d, ctx).apply(step.fields, *source, target);
                   !problem.empty()) {
            out.failed.emplace_back(std::move(d), "map: " + problem);
            continue;
        }
        if (step.output == map_step::format::xml) {
            target.name = !step.root.empty() ? step.root
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
