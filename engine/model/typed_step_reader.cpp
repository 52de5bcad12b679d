// The step reader's part for steps typed by a profile (SPEC §6, element paths): the element
// paths of message, decision, route and map steps are checked against the profile when the
// process loads, and take the types that decisions compare and maps convert by.
#include "model/step_reader.hpp"

namespace ferry::engine {
namespace {

bool numeric(profiles::value_type t) {
    return t == profiles::value_type::number || t == profiles::value_type::integer;
}

}  // namespace

std::string step_reader::describe(const profiles::value_shape& shape) {
    return profiles::describe_type(shape.type, shape.mask);
}

const profiles::profile* step_reader::named_profile(const YAML::Node& node, const char* key) const {
    const auto n = node[key];
    if (!n) return nullptr;
    const auto name = scalar(n, key);
    if (profiles_) {
        if (const auto found = profiles_->find(name); found != profiles_->end()) {
            return &found->second;
        }
    }
    fail(n.Mark(), missing_profile(name));
}

element_typing step_reader::typing_of(const YAML::Node& node) const {
    const auto* p = named_profile(node, "profile");
    return p ? element_typing{p, &p->root} : element_typing{};
}

// A typed side compared with a static value: the static must be written as the typed side is;
// two typed sides must be of comparable types.
void step_reader::check_typed_comparison(const decision_step& d, const YAML::Node& node) const {
    if (d.op == comparison::regex || d.op == comparison::wildcard) return;
    const auto left = d.left.output_shape();
    const auto right = d.right.output_shape();
    if (left && right) {
        if (left->type != right->type && !(numeric(left->type) && numeric(right->type))) {
            fail(node["right"].Mark(), "the decision compares " + describe(*left) + " ('" +
                                           d.left.argument + "') with " + describe(*right) + " ('" +
                                           d.right.argument + "')");
        }
        return;
    }
    if (!left && !right) return;
    const auto& typed = left ? d.left : d.right;
    const auto& other = left ? d.right : d.left;
    const auto& shape = left ? *left : *right;
    if (other.kind != variable_kind::static_text || other.argument.empty()) return;
    if (const auto read = profiles::read_typed(other.argument, shape.type, shape.mask); !read) {
        fail(node[left ? "right" : "left"].Mark(),
             "the static value " + read.error() + ", but it is compared with '" + typed.argument +
                 "', " + describe(shape) + " in profile " + typed.profile);
    }
}

step_reader::map_typing step_reader::each_typing(const YAML::Node& node, const map_field& f,
                                                 const map_typing& typing) const {
    map_typing inner;
    if (const auto* p = typing.source.profile) {
        const auto item = profiles::resolve_path(*typing.source.at, f.each);
        if (!item || !item->element) {
            fail(node["each"].Mark(), "each path '" + f.each + "' is not an element of profile '" +
                                          p->name + "'" + (item ? "" : ": " + item.error()));
        }
        inner.source = {p, item->element};
    }
    if (const auto* p = typing.target.profile) {
        const auto item = profiles::resolve_path(*typing.target.at, f.to);
        if (!item) {
            fail(node["to"].Mark(), "to path '" + f.to + "' is not in the target profile '" +
                                        p->name + "': " + item.error());
        }
        inner.target = {p, item->element};
    }
    return inner;
}

void step_reader::type_map_field(map_field& f, const YAML::Node& node,
                                 const map_typing& typing) const {
    bool source_structure = false;
    if (const auto* p = typing.source.profile; p && !f.from.empty()) {
        const auto from = profiles::resolve_path(*typing.source.at, f.from);
        if (!from) {
            fail(node["from"].Mark(),
                 "from path '" + f.from + "' is not in profile '" + p->name + "': " + from.error());
        }
        source_structure = from->structure();
        if (!source_structure && from->shape().type != profiles::value_type::string) {
            f.source_shape = from->shape();
        }
    }
    if (f.source_shape && f.fallback && f.date_from.empty()) {
        // The default stands in for the source value, so it is written as the source is.
        const auto& shape = *f.source_shape;
        if (const auto read = profiles::read_typed(*f.fallback, shape.type, shape.mask); !read) {
            fail(node["default"].Mark(), "default " + read.error() + ", but '" + f.from + "' is " +
                                             describe(shape) + " in profile " +
                                             typing.source.profile->name);
        }
    }
    const auto* target_profile = typing.target.profile;
    if (!target_profile) return;
    const auto to = profiles::resolve_path(*typing.target.at, f.to);
    if (!to) {
        fail(node["to"].Mark(), "to path '" + f.to + "' is not in the target profile '" +
                                    target_profile->name + "': " + to.error());
    }
    if (to->structure() && !source_structure) {
        fail(node["to"].Mark(), "to path '" + f.to + "' is a structure in the target profile '" +
                                    target_profile->name + "'; map values to its elements");
    }
    if (to->structure()) return;  // a whole structure moves, untyped
    if (source_structure) {
        fail(node["to"].Mark(), "from '" + f.from + "' is a structure but to '" + f.to +
                                    "' is a value in the target profile '" + target_profile->name +
                                    "'");
    }
    f.target_shape = to->shape();
    const auto& shape = *f.target_shape;
    if (f.constant && f.type == map_field::json_type::keep) {
        if (const auto read = profiles::read_typed(*f.constant, shape.type, shape.mask); !read) {
            fail(node["constant"].Mark(), "constant " + read.error() + ", but '" + f.to + "' is " +
                                              describe(shape) + " in the target profile " +
                                              target_profile->name);
        }
    }
    if (!f.date_to.empty() && shape.type == profiles::value_type::date && f.date_to != shape.mask) {
        fail(node["date"].Mark(), "date writes " + f.date_to + " but '" + f.to +
                                      "' is a date written " + shape.mask +
                                      " in the target profile " + target_profile->name +
                                      "; leave date out and the map converts between the "
                                      "profiles' masks");
    }
}

}  // namespace ferry::engine
