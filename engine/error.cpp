#include "ferry/engine/error.hpp"

namespace ferry::engine {
namespace {

struct errc_text {
    std::string_view name;
    const char* description;
};

// Indexed by errc - 1, in the enum's order.
constexpr errc_text texts[] = {
    {"unknown_process", "no such process"},
    {"unknown_version", "no such version of the process"},
    {"unknown_listener", "no such listener"},
    {"unknown_execution", "no such execution"},
    {"unknown_dead_letter", "no such dead letter"},
    {"process_not_deployed", "the process is not deployed"},
    {"version_needs_process", "a version needs its process"},
    {"invalid_definition", "the process definition does not load"},
    {"version_exists", "the version exists with another text"},
    {"operation_taken", "another process listens on the operation"},
    {"in_use", "another process calls it"},
    {"documents_missing", "stored documents are missing"},
    {"too_many_jobs", "too many replay jobs"},
    {"shutting_down", "the engine is shutting down"},
    {"storage_error", "the store failed"},
    {"cluster_unavailable", "the cluster did not answer"},
    {"unknown_api", "no such API"},
    {"base_path_taken", "another API serves the base path"},
    {"breaking_change", "the change would break the API's callers"},
};
static_assert(std::size(texts) == static_cast<std::size_t>(errc::breaking_change));

const errc_text* text_of(errc e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i >= 1 && i <= std::size(texts) ? &texts[i - 1] : nullptr;
}

}  // namespace

const char* category_name(errc) noexcept { return "ferry.engine"; }

const char* describe(errc e) noexcept {
    const auto* t = text_of(e);
    return t ? t->description : "unknown engine error";
}

std::string_view code_name(errc e) noexcept {
    const auto* t = text_of(e);
    return t ? t->name : "unknown";
}

}  // namespace ferry::engine
