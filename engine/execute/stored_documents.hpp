#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "ferry/store/records.hpp"

namespace ferry::engine {

/// The documents one execution has stored so far, found by content: a step output equal to
/// one of them (same bytes, same properties) is not stored again, its trace names the stored
/// copy (general mode keeps every step's output, and many pass their documents on unchanged:
/// a `{1}` message, file_write, queue_send, every step after the last one that changed them).
/// Holds pointers: every document added must outlive the index. One per execution; not
/// thread-safe.
class stored_documents {
public:
    void add(std::string id, const store::document& doc);
    /// The id of an added document equal to `doc`, or nullptr.
    [[nodiscard]] const std::string* find(const store::document& doc) const;

private:
    struct entry {
        std::string id;
        const store::document* doc;
    };
    std::unordered_multimap<std::size_t, entry> by_hash_;
};

}  // namespace ferry::engine
