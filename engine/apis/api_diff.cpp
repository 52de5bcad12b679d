// The difference between two OpenAPI documents of an API (docs/apis.md, "Breaking changes"):
// what callers written against the old one rely on is compared with what the new one offers.
#include "ferry/engine/apis/api_diff.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <map>
#include <optional>
#include <set>

namespace ferry::engine {
namespace {

namespace json = boost::json;

constexpr const char* methods[] = {"get", "post", "put", "patch", "delete"};

// Which way a schema is used: callers send requests (they break when the server takes less)
// and read answers (they break when the server gives less).
enum class direction { request, answer };

class differ {
public:
    differ(const json::object& before, const json::object& after)
        : before_(before), after_(after) {}

    std::vector<api_change> run() {
        const auto& old_paths = before_.at("paths").as_object();
        const auto& new_paths = after_.at("paths").as_object();
        for (const auto& [path, old_item] : old_paths) {
            const auto* new_item = new_paths.if_contains(path);
            for (const auto* method : methods) {
                const auto* old_op = old_item.as_object().if_contains(method);
                if (old_op == nullptr) continue;
                const auto where = upper(method) + " " + std::string(path);
                const auto* new_op =
                    new_item != nullptr ? new_item->as_object().if_contains(method) : nullptr;
                if (new_op == nullptr) {
                    add(where, "removed", true);
                    continue;
                }
                operation(where, old_op->as_object(), new_op->as_object());
            }
        }
        for (const auto& [path, new_item] : new_paths) {
            const auto* old_item = old_paths.if_contains(path);
            for (const auto* method : methods) {
                if (!new_item.as_object().contains(method)) continue;
                if (old_item == nullptr || !old_item->as_object().contains(method)) {
                    add(upper(method) + " " + std::string(path), "added", false);
                }
            }
        }
        return std::move(changes_);
    }

private:
    static std::string upper(std::string text) {
        for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return text;
    }

    void add(std::string where, std::string what, bool breaking) {
        changes_.push_back({std::move(where), std::move(what), breaking});
    }

    // A $ref into the document's components, followed.
    static const json::object& resolved(const json::object& doc, const json::object& value) {
        const auto* ref = value.if_contains("$ref");
        if (ref == nullptr || !ref->is_string()) return value;
        std::string_view target = ref->as_string();
        constexpr std::string_view prefix = "#/";
        if (!target.starts_with(prefix)) return value;
        target.remove_prefix(prefix.size());
        const json::object* at = &doc;
        while (!target.empty()) {
            const auto slash = target.find('/');
            const auto* next = at->if_contains(target.substr(0, slash));
            if (next == nullptr || !next->is_object()) return value;
            at = &next->as_object();
            target = slash == std::string_view::npos ? "" : target.substr(slash + 1);
        }
        return resolved(doc, *at);
    }

    // Parameters by "in name", references followed.
    static std::map<std::string, json::object> parameters(const json::object& doc,
                                                          const json::object& op) {
        std::map<std::string, json::object> out;
        const auto* list = op.if_contains("parameters");
        if (list == nullptr) return out;
        for (const auto& p : list->as_array()) {
            const auto& param = resolved(doc, p.as_object());
            out[std::string(param.at("in").as_string()) + " " +
                std::string(param.at("name").as_string())] = param;
        }
        return out;
    }

    static bool required(const json::object& param) {
        const auto* r = param.if_contains("required");
        return r != nullptr && r->is_bool() && r->as_bool();
    }

    static std::string type_of(const json::object& schema) {
        const auto* t = schema.if_contains("type");
        return t != nullptr && t->is_string() ? std::string(t->as_string()) : "";
    }

    // The document schema of a body: an XML body's oneOf offers the profile's schema first.
    static const json::object& body_of(const json::object& doc, const json::object& schema) {
        const auto& s = resolved(doc, schema);
        if (const auto* one_of = s.if_contains("oneOf");
            one_of != nullptr && !one_of->as_array().empty()) {
            return resolved(doc, one_of->as_array().front().as_object());
        }
        return s;
    }

    void operation(const std::string& where, const json::object& old_op,
                   const json::object& new_op) {
        const auto old_params = parameters(before_, old_op);
        const auto new_params = parameters(after_, new_op);
        for (const auto& [key, param] : new_params) {
            const auto old = old_params.find(key);
            if (old == old_params.end()) {
                add(where + " parameter " + key, required(param) ? "added, required" : "added",
                    required(param));
                continue;
            }
            if (required(param) && !required(old->second)) {
                add(where + " parameter " + key, "made required", true);
            }
            const auto old_type = type_of(resolved(before_, old->second.at("schema").as_object()));
            const auto new_type = type_of(resolved(after_, param.at("schema").as_object()));
            if (old_type != new_type) {
                add(where + " parameter " + key,
                    "type changed from " + old_type + " to " + new_type, true);
            }
        }
        for (const auto& [key, param] : old_params) {
            if (!new_params.contains(key)) add(where + " parameter " + key, "removed", false);
        }
        request_body(where, old_op, new_op);
        answers(where, old_op, new_op);
    }

    void request_body(const std::string& where, const json::object& old_op,
                      const json::object& new_op) {
        const auto* old_body = old_op.if_contains("requestBody");
        const auto* new_body = new_op.if_contains("requestBody");
        if (old_body == nullptr && new_body == nullptr) return;
        if (old_body == nullptr) {
            add(where + " body", "now required", true);
            return;
        }
        if (new_body == nullptr) {
            add(where + " body", "no longer taken", true);
            return;
        }
        const auto& old_content =
            resolved(before_, old_body->as_object()).at("content").as_object();
        const auto& new_content = resolved(after_, new_body->as_object()).at("content").as_object();
        for (const auto& [media, old_media] : old_content) {
            const auto* new_media = new_content.if_contains(media);
            if (new_media == nullptr) {
                add(where + " body", "no longer takes " + std::string(media), true);
                continue;
            }
            schema(where + " body", direction::request,
                   body_of(before_, old_media.at("schema").as_object()),
                   body_of(after_, new_media->at("schema").as_object()));
        }
    }

    // The successful answers (2xx): the same statuses, media types and fields.
    void answers(const std::string& where, const json::object& old_op, const json::object& new_op) {
        const auto& old_answers = old_op.at("responses").as_object();
        const auto& new_answers = new_op.at("responses").as_object();
        for (const auto& [status, old_answer] : old_answers) {
            if (!status.starts_with("2")) continue;
            const auto* new_answer = new_answers.if_contains(status);
            if (new_answer == nullptr) {
                add(where + " " + std::string(status), "no longer answered", true);
                continue;
            }
            const auto& old_r = resolved(before_, old_answer.as_object());
            const auto& new_r = resolved(after_, new_answer->as_object());
            const auto* old_content = old_r.if_contains("content");
            const auto* new_content = new_r.if_contains("content");
            if (old_content == nullptr) continue;
            for (const auto& [media, old_media] : old_content->as_object()) {
                const auto* new_media =
                    new_content != nullptr ? new_content->as_object().if_contains(media) : nullptr;
                if (new_media == nullptr) {
                    add(where + " " + std::string(status), "no longer " + std::string(media), true);
                    continue;
                }
                schema(where + " " + std::string(status) + " body", direction::answer,
                       body_of(before_, old_media.at("schema").as_object()),
                       body_of(after_, new_media->at("schema").as_object()));
            }
        }
        for (const auto& [status, answer] : new_answers) {
            (void)answer;
            if (status.starts_with("2") && !old_answers.contains(status)) {
                add(where + " " + std::string(status), "answered now", false);
            }
        }
    }

    static std::set<std::string> required_fields(const json::object& schema) {
        std::set<std::string> out;
        if (const auto* r = schema.if_contains("required")) {
            for (const auto& name : r->as_array()) out.emplace(name.as_string());
        }
        return out;
    }

    static std::optional<std::int64_t> bound(const json::object& schema, const char* name) {
        const auto* b = schema.if_contains(name);
        if (b == nullptr || !b->is_number()) return std::nullopt;
        return b->to_number<std::int64_t>();
    }

    void schema(const std::string& where, direction d, const json::object& old_s,
                const json::object& new_s) {
        const auto old_type = type_of(old_s);
        const auto new_type = type_of(new_s);
        if (old_type != new_type) {
            // An empty schema takes anything: becoming one narrows nothing for requests.
            const bool widened = new_type.empty() && new_s.empty() && d == direction::request;
            add(where,
                "type changed from " + (old_type.empty() ? "any" : old_type) + " to " +
                    (new_type.empty() ? "any" : new_type),
                !widened);
            return;
        }
        if (const auto* old_items = old_s.if_contains("items")) {
            if (const auto* new_items = new_s.if_contains("items")) {
                schema(where + "[]", d, body_of(before_, old_items->as_object()),
                       body_of(after_, new_items->as_object()));
            }
            const auto old_max = bound(old_s, "maxItems");
            const auto new_max = bound(new_s, "maxItems");
            const auto old_min = bound(old_s, "minItems").value_or(0);
            const auto new_min = bound(new_s, "minItems").value_or(0);
            if (d == direction::request &&
                (new_min > old_min || (new_max && (!old_max || *new_max < *old_max)))) {
                add(where, "takes fewer items", true);
            }
        }
        const auto* old_props = old_s.if_contains("properties");
        const auto* new_props = new_s.if_contains("properties");
        if (old_props == nullptr && new_props == nullptr) return;
        const auto old_required = required_fields(old_s);
        const auto new_required = required_fields(new_s);
        static const json::object none;
        const auto& olds = old_props != nullptr ? old_props->as_object() : none;
        const auto& news = new_props != nullptr ? new_props->as_object() : none;
        for (const auto& [name, old_field] : olds) {
            const auto field = where + "/" + std::string(name);
            const auto* new_field = news.if_contains(name);
            if (new_field == nullptr) {
                // Callers read it (answers), or the profile refuses it now (requests).
                add(field, "removed", true);
                continue;
            }
            const bool was = old_required.contains(std::string(name));
            const bool is = new_required.contains(std::string(name));
            if (d == direction::request && is && !was) add(field, "now required", true);
            if (d == direction::answer && was && !is) add(field, "no longer always given", true);
            schema(field, d, body_of(before_, old_field.as_object()),
                   body_of(after_, new_field->as_object()));
        }
        for (const auto& [name, new_field] : news) {
            (void)new_field;
            if (olds.contains(name)) continue;
            const bool must = d == direction::request && new_required.contains(std::string(name));
            add(where + "/" + std::string(name), must ? "added, required" : "added", must);
        }
    }

    const json::object& before_;
    const json::object& after_;
    std::vector<api_change> changes_;
};

}  // namespace

std::vector<api_change> diff_openapi(const json::object& before, const json::object& after) {
    return differ(before, after).run();
}

}  // namespace ferry::engine
