#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "run/steps.hpp"

namespace ferry::engine {
namespace {

// Follows a dot-separated path of object keys from the document's root.
const boost::json::value* find_path(const boost::json::value& root,
                                    const std::vector<std::string>& path) {
    const boost::json::value* at = &root;
    for (const auto& key : path) {
        const auto* object = at->if_object();
        if (!object) return nullptr;
        at = object->if_contains(key);
        if (!at) return nullptr;
    }
    return at;
}

std::string joined(const std::vector<std::string>& path) {
    std::string out;
    for (const auto& key : path) out += (out.empty() ? "" : ".") + key;
    return out.empty() ? "the document root" : "'" + out + "'";
}

}  // namespace

// Each piece keeps the document properties and request index of the document it came from.
step_output run_step(const split_step& step, std::vector<working_document> in,
                     step_context& /*ctx*/) {
    step_output out;
    for (auto& d : in) {
        if (step.by == split_step::format::lines) {
            std::string_view rest = d.doc.data;
            while (!rest.empty()) {
                const auto end = rest.find('\n');
                auto line = rest.substr(0, end);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                if (!line.empty())
                    out.passed.push_back({{std::string(line), d.doc.props}, d.index, d.lineage});
                if (end == std::string_view::npos) break;
                rest.remove_prefix(end + 1);
            }
            continue;
        }
        boost::system::error_code ec;
        // As deep as the intake lets a JSON body be (intake/json_scan.cpp).
        boost::json::parse_options nesting;
        nesting.max_depth = 512;
        const auto root = boost::json::parse(d.doc.data, ec, {}, nesting);
        if (ec) {
            out.failed.emplace_back(std::move(d), "the document is not JSON: " + ec.message());
            continue;
        }
        const auto* target = find_path(root, step.path);
        if (!target || !target->is_array()) {
            out.failed.emplace_back(std::move(d), joined(step.path) + " is not a JSON array");
            continue;
        }
        for (const auto& element : target->get_array()) {
            out.passed.push_back(
                {{boost::json::serialize(element), d.doc.props}, d.index, d.lineage});
        }
    }
    return out;
}

}  // namespace ferry::engine
