// JSON documents against JSON profiles: a walk over the parsed tree, first problem wins.
#include <map>

#include "ferry/profiles/date_mask.hpp"
#include "ferry/profiles/element.hpp"
#include "ferry/profiles/validation.hpp"
#include "secure_reader.hpp"

namespace ferry::profiles {
namespace {

std::string kind_name(const element& e) {
    if (e.object) return "an object";
    switch (e.kind) {
        case value_kind::number:
            return "the number " + e.text;
        case value_kind::boolean:
            return "the boolean " + e.text;
        case value_kind::null:
            return "null";
        case value_kind::text:
            break;
    }
    return "the string \"" + (e.text.size() > 40 ? e.text.substr(0, 40) + "..." : e.text) + "\"";
}

class walker {
public:
    explicit walker(std::string_view text) : text_(text) {}

    std::optional<violation> problem;

    bool fail(const element& at, const std::string& path, std::string rule, std::string message) {
        const auto where = detail::problem_at(text_, at.offset, {});
        problem = violation{path.empty() ? "/" : path, where.line, where.column, std::move(rule),
                            std::move(message)};
        return false;
    }

    bool leaf(const profile_element& pe, const element& e, const std::string& path) {
        if (e.kind == value_kind::null) {
            if (pe.nullable) return true;
            return fail(e, path, "not nullable",
                        "null is not allowed here; expected " + std::string(to_string(pe.type)));
        }
        if (e.object) {
            return fail(
                e, path, "type " + std::string(to_string(pe.type)),
                "expected a " + std::string(to_string(pe.type)) + " value, found an object");
        }
        bool ok = false;
        switch (pe.type) {
            case value_type::string:
                ok = e.kind == value_kind::text;
                break;
            case value_type::number:
                ok = e.kind == value_kind::number;
                break;
            case value_type::integer:
                ok = e.kind == value_kind::number &&
                     e.text.find_first_of(".eE") == std::string::npos;
                break;
            case value_type::boolean:
                ok = e.kind == value_kind::boolean;
                break;
            case value_type::date:
                if (e.kind == value_kind::text && parse_date(e.text, pe.mask)) return true;
                return fail(e, path, "type date " + pe.mask,
                            "expected a date written as " + pe.mask + ", found " + kind_name(e));
        }
        if (ok) return true;
        return fail(e, path, "type " + std::string(to_string(pe.type)),
                    "expected " + std::string(pe.type == value_type::integer ? "an " : "a ") +
                        std::string(to_string(pe.type)) + ", found " + kind_name(e));
    }

    bool node(const profile_element& pe, const element& e, const std::string& path) {
        if (pe.is_leaf()) return leaf(pe, e, path);
        if (e.kind == value_kind::null && pe.nullable) return true;
        if (!e.object) {
            return fail(e, path, "object", "expected an object, found " + kind_name(e));
        }
        // Members in document order; a repeated name is an array's items.
        std::map<std::string_view, std::size_t> counts;
        for (const auto& child : e.children) {
            const auto* spec = pe.child(child.name);
            const auto index = ++counts[child.name];
            const auto child_path =
                path + "/" + child.name + (child.array ? "[" + std::to_string(index) + "]" : "");
            if (!spec) {
                return fail(child, path + "/" + child.name, "not in the profile",
                            "member '" + child.name + "' is not in the profile");
            }
            if (spec->repeats() && !child.array) {
                return fail(child, child_path, "array",
                            "'" + child.name + "' must be an array (max " +
                                (spec->max ? std::to_string(*spec->max) : "unbounded") + ")");
            }
            if (!spec->repeats() && child.array) {
                return fail(child, child_path, "max 1",
                            "'" + child.name + "' must be a single value, not an array");
            }
            if (spec->max && index > *spec->max) {
                return fail(
                    child, child_path, "max " + std::to_string(*spec->max),
                    "'" + child.name + "' has more than " + std::to_string(*spec->max) + " items");
            }
            if (!node(*spec, child, child_path)) return false;
        }
        for (const auto& spec : pe.elements) {
            const auto it = counts.find(spec.name);
            const std::size_t n = it == counts.end() ? 0 : it->second;
            if (n >= spec.min) continue;
            if (n == 0) {
                return fail(e, path + "/" + spec.name, "min " + std::to_string(spec.min),
                            "required member '" + spec.name + "' is missing");
            }
            return fail(e, path + "/" + spec.name, "min " + std::to_string(spec.min),
                        "'" + spec.name + "' has " + std::to_string(n) + " items; at least " +
                            std::to_string(spec.min) + " are required");
        }
        return true;
    }

private:
    std::string_view text_;
};

}  // namespace

std::string violation::describe() const {
    return "at " + path + " (line " + std::to_string(line) + ", column " + std::to_string(column) +
           "): " + message;
}

std::optional<violation> check_json(const profile& p, std::string_view document) {
    auto tree = parse_json(document);
    if (!tree) {
        const auto where = detail::problem_at(document, tree.error().offset - 1, {});
        return violation{"/", where.line, where.column, "well-formed JSON",
                         "the document is not valid JSON: " + tree.error().message};
    }
    walker w(document);
    if (!p.root.repeats()) {
        w.node(p.root, *tree, "");
        return w.problem;
    }
    // The document is a top-level array: parse_json gives a root with one "item" per element.
    const auto& root = *tree;
    const bool is_array = !root.object && root.kind == value_kind::text &&
                          document.find_first_not_of(" \t\r\n") != std::string_view::npos &&
                          document[document.find_first_not_of(" \t\r\n")] == '[';
    if (!is_array) {
        w.fail(root, "/", "array", "the document must be a JSON array");
        return w.problem;
    }
    std::size_t index = 0;
    for (const auto& item : root.children) {
        if (!w.node(p.root, item, "/[" + std::to_string(++index) + "]")) return w.problem;
    }
    if (index < p.root.min || (p.root.max && index > *p.root.max)) {
        w.fail(root, "/",
               index < p.root.min ? "min " + std::to_string(p.root.min)
                                  : "max " + std::to_string(*p.root.max),
               "the array has " + std::to_string(index) + " items");
    }
    return w.problem;
}

}  // namespace ferry::profiles
