// Sample documents -> profile: merge every instance of every element into one shape.
#include "ferry/profiles/inference.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <memory>

#include "ferry/profiles/date_mask.hpp"
#include "ferry/profiles/element.hpp"

namespace ferry::profiles {
namespace {

constexpr std::array<std::string_view, 8> date_masks{"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
                                                     "yyyy-MM-dd'T'HH:mm:ss.SSS",
                                                     "yyyy-MM-dd'T'HH:mm:ss'Z'",
                                                     "yyyy-MM-dd'T'HH:mm:ss",
                                                     "yyyy-MM-dd HH:mm:ss",
                                                     "yyyy-MM-dd",
                                                     "HH:mm:ss",
                                                     "yyyy-MM-dd'Z'"};

bool is_integer(std::string_view t) {
    if (t.starts_with('-') || t.starts_with('+')) t.remove_prefix(1);
    return !t.empty() && t.size() <= 18 &&
           t.find_first_not_of("0123456789") == std::string_view::npos;
}

bool is_decimal(std::string_view t) {
    if (t.starts_with('-') || t.starts_with('+')) t.remove_prefix(1);
    const auto dot = t.find('.');
    if (dot == std::string_view::npos) return is_integer(t);
    const auto whole = t.substr(0, dot), fraction = t.substr(dot + 1);
    return !(whole.empty() && fraction.empty()) &&
           whole.find_first_not_of("0123456789") == std::string_view::npos &&
           fraction.find_first_not_of("0123456789") == std::string_view::npos;
}

/// The narrowest type every value seen so far fits.
struct type_votes {
    bool any = false;  // at least one non-empty value
    bool integer = true, number = true, boolean = true;
    std::vector<std::string_view> masks{date_masks.begin(), date_masks.end()};

    void add_text(std::string_view text) {
        const auto first = text.find_first_not_of(" \t\r\n");
        if (first == std::string_view::npos) return;  // empty: fits every type
        text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
        any = true;
        integer = integer && is_integer(text);
        number = number && is_decimal(text);
        boolean = boolean && (text == "true" || text == "false");
        std::erase_if(masks, [&](std::string_view m) { return !parse_date(text, m); });
    }

    void add_json(const element& e) {
        any = true;
        const bool numeric = e.kind == value_kind::number;
        integer = integer && numeric && e.text.find_first_of(".eE") == std::string::npos;
        number = number && numeric;
        boolean = boolean && e.kind == value_kind::boolean;
        if (e.kind != value_kind::text) {
            masks.clear();
        } else {
            std::erase_if(masks, [&](std::string_view m) { return !parse_date(e.text, m); });
        }
    }

    void decide(value_type& type, std::string& mask) const {
        type = value_type::string;
        if (!any) return;
        if (integer) {
            type = value_type::integer;
        } else if (number) {
            type = value_type::number;
        } else if (boolean) {
            type = value_type::boolean;
        } else if (!masks.empty()) {
            type = value_type::date;
            mask = std::string(masks.front());
        }
    }
};

struct attribute_shape {
    std::string name;
    std::size_t seen = 0;  // elements that had it
    type_votes votes;
};

struct shape {
    std::string name;
    std::string namespace_uri;
    std::size_t instances = 0;
    std::size_t min = std::numeric_limits<std::size_t>::max();  // per parent instance
    std::size_t max = 0;
    bool array = false;  // JSON array member
    bool nullable = false;
    bool parent = false;  // had children (an object or an element with elements)
    bool any_order = false;
    type_votes votes;
    std::vector<attribute_shape> attributes;
    std::vector<std::unique_ptr<shape>> children;

    shape* child(const std::string& n) {
        for (auto& c : children) {
            if (c->name == n) return c.get();
        }
        return nullptr;
    }
};

class inferrer {
public:
    explicit inferrer(bool json) : json_(json) {}

    void merge(shape& s, const element& e) {
        ++s.instances;
        if (json_ && e.kind == value_kind::null) {
            s.nullable = true;
            return;
        }
        for (const auto& attribute : e.attributes) {
            // Not a structured binding: clang 14 (tools/dev/tidy) cannot capture one in a lambda.
            const std::string& name = attribute.first;
            const std::string& value = attribute.second;
            auto it = std::find_if(s.attributes.begin(), s.attributes.end(),
                                   [&](const attribute_shape& a) { return a.name == name; });
            if (it == s.attributes.end()) {
                s.attributes.push_back({name, 0, {}});
                it = std::prev(s.attributes.end());
            }
            ++it->seen;
            it->votes.add_text(value);
        }
        if (e.children.empty() && !e.object) {
            if (json_) {
                s.votes.add_json(e);
            } else {
                s.votes.add_text(e.text);
            }
        }
        if (!e.children.empty() || e.object) s.parent = true;

        // Count this instance's children by name, and see whether their order fits the
        // order known so far and whether a name comes back after another (interleaving).
        std::map<std::string, std::size_t> counts;
        std::string previous;
        std::size_t last_position = 0;
        bool started = false;
        for (const auto& c : e.children) {
            auto* cs = s.child(c.name);
            if (!cs) {
                // A name not seen before goes right after the one before it in this instance.
                const auto at = started ? last_position + 1 : 0;
                auto fresh = std::make_unique<shape>();
                cs = fresh.get();
                cs->name = c.name;
                cs->namespace_uri = c.namespace_uri;
                // Earlier instances of the parent had none of it.
                if (s.instances > 1) cs->min = 0;
                s.children.insert(s.children.begin() + static_cast<std::ptrdiff_t>(at),
                                  std::move(fresh));
            }
            const auto position = static_cast<std::size_t>(
                std::find_if(s.children.begin(), s.children.end(),
                             [&](const auto& p) { return p.get() == cs; }) -
                s.children.begin());
            if (c.name != previous) {
                if (counts.contains(c.name) || (started && position < last_position)) {
                    s.any_order = true;
                }
                last_position = position;
                started = true;
            }
            previous = c.name;
            ++counts[c.name];
            cs->array = cs->array || c.array;
            merge(*cs, c);
        }
        for (auto& c : s.children) {
            const auto it = counts.find(c->name);
            const std::size_t n = it == counts.end() ? 0 : it->second;
            c->min = std::min(c->min, n);
            c->max = std::max(c->max, n);
        }
    }

    profile_element build(const shape& s, bool root) const {
        profile_element e;
        e.name = s.name;
        e.namespace_uri = json_ ? std::string() : s.namespace_uri;
        e.nullable = s.nullable;
        if (!root) {
            e.min = s.min == std::numeric_limits<std::size_t>::max()
                        ? 0
                        : std::min<std::size_t>(s.min, 1);
            if (s.array || s.max > 1) e.max.reset();
        }
        if (s.parent || !s.children.empty()) {
            e.any_order = !json_ && s.any_order;
            if (e.any_order) {
                // A repeated choice cannot count: any of them, any number of times.
                for (const auto& c : s.children) e.elements.push_back(build(*c, false));
                for (auto& c : e.elements) {
                    c.min = 0;
                    c.max.reset();
                }
            } else {
                for (const auto& c : s.children) e.elements.push_back(build(*c, false));
            }
        } else {
            s.votes.decide(e.type, e.mask);
        }
        for (const auto& a : s.attributes) {
            profile_attribute pa;
            pa.name = a.name;
            pa.required = a.seen == s.instances;
            a.votes.decide(pa.type, pa.mask);
            e.attributes.push_back(std::move(pa));
        }
        return e;
    }

private:
    bool json_;
};

boost::system::result<profile, std::string> failure(std::string why) {
    return {boost::system::in_place_error, std::move(why)};
}

bool top_level_array(std::string_view sample) {
    const auto first = sample.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && sample[first] == '[';
}

}  // namespace

boost::system::result<profile, std::string> infer_profile(const std::vector<std::string>& samples,
                                                          std::string name) {
    if (samples.empty()) return failure("no sample to infer a profile from");
    const auto first = samples.front().find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    const bool xml = first != std::string::npos && samples.front()[first] == '<';
    inferrer in(!xml);
    shape root;
    bool array_root = false;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto label = "sample " + std::to_string(i + 1);
        if (xml) {
            auto tree = parse_xml(samples[i]);
            if (!tree) {
                return failure(label + " is not XML: line " + std::to_string(tree.error().line) +
                               ", column " + std::to_string(tree.error().column) + ": " +
                               tree.error().message);
            }
            if (i == 0) {
                root.name = tree->name;
                root.namespace_uri = tree->namespace_uri;
            } else if (tree->name != root.name || tree->namespace_uri != root.namespace_uri) {
                return failure(label + " has root element '" + tree->name + "', not '" + root.name +
                               "'");
            }
            in.merge(root, *tree);
            continue;
        }
        auto tree = parse_json(samples[i]);
        if (!tree) {
            return failure(label + " is not JSON (or XML): at byte " +
                           std::to_string(tree.error().offset) + ": " + tree.error().message);
        }
        if (top_level_array(samples[i])) {
            array_root = true;
            for (const auto& item : tree->children) in.merge(root, item);
        } else {
            in.merge(root, *tree);
        }
    }
    profile p;
    p.name = std::move(name);
    p.format = xml ? profile_format::xml : profile_format::json;
    p.root = in.build(root, true);
    if (array_root) {
        p.root.min = 0;
        p.root.max.reset();
    }
    return p;
}

}  // namespace ferry::profiles
