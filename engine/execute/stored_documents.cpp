#include "execute/stored_documents.hpp"

#include <functional>
#include <string_view>

namespace ferry::engine {
namespace {

// The bytes decide; properties are compared only on a hash match.
std::size_t hash_of(const store::document& doc) { return std::hash<std::string_view>{}(doc.data); }

}  // namespace

void stored_documents::add(std::string id, const store::document& doc) {
    by_hash_.emplace(hash_of(doc), entry{std::move(id), &doc});
}

const std::string* stored_documents::find(const store::document& doc) const {
    const auto [first, last] = by_hash_.equal_range(hash_of(doc));
    for (auto it = first; it != last; ++it) {
        const auto& stored = *it->second.doc;
        if (stored.data == doc.data && stored.props == doc.props) return &it->second.id;
    }
    return nullptr;
}

}  // namespace ferry::engine
