#include "cluster/cluster_messages.hpp"

#include <algorithm>

#include "ferry/store/codec.hpp"
#include "ferry/store/error.hpp"
#include "ferry/store/newer_formats.hpp"

namespace ferry::engine::cluster {
namespace {

constexpr std::uint8_t run_format = 1;
constexpr std::uint8_t outcome_format = 1;
constexpr std::uint8_t documents_format = 1;

boost::system::error_code corrupt() { return store::make_error_code(store::errc::corrupt_record); }

void put_pairs(store::byte_writer& out,
               const std::vector<std::pair<std::string, std::string>>& pairs) {
    out.put_varint(pairs.size());
    for (const auto& [key, value] : pairs) {
        out.put_string(key);
        out.put_string(value);
    }
}

bool get_pairs(store::byte_reader& in, std::vector<std::pair<std::string, std::string>>& pairs) {
    const auto count = in.get_varint();
    if (!count) return false;
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto key = in.get_string();
        const auto value = in.get_string();
        if (!key || !value) return false;
        pairs.emplace_back(*key, *value);
    }
    return true;
}

}  // namespace

std::string encode_run(const queued_run& run) {
    store::byte_writer out;
    out.put_byte(run_format);
    out.put_string(run.record);
    put_pairs(out, run.documents);
    out.put_varint(static_cast<std::uint64_t>(run.not_before_ms));
    if (!run.parked_on.empty()) out.put_string(run.parked_on);  // absent in most runs
    return out.take();
}

boost::system::result<queued_run> run_of(const store::new_execution& execution) {
    const auto& rec = execution.record;
    if (execution.arrives != store::new_execution::part::whole || execution.first_document != 0 ||
        execution.documents.size() != rec.document_ids.size()) {
        return store::make_error_code(store::errc::corrupt_record);
    }
    queued_run run;
    run.record = store::encode_execution(rec);
    run.documents.reserve(execution.documents.size());
    for (std::size_t i = 0; i < execution.documents.size(); ++i) {
        run.documents.emplace_back(rec.document_ids[i],
                                   store::encode_document(execution.documents[i]));
    }
    run.not_before_ms = execution.not_before_ms;
    run.parked_on = execution.parked_on;
    return run;
}

boost::system::result<queued_run> decode_run(std::string_view bytes) {
    store::byte_reader in(bytes);
    queued_run run;
    const auto format = in.get_byte();
    const auto record = in.get_string();
    if (format != run_format || !record || !store::check_execution(*record)) return corrupt();
    run.record = *record;
    if (!get_pairs(in, run.documents)) return corrupt();
    for (const auto& [id, doc] : run.documents) {
        if (!store::check_document(doc)) return corrupt();
    }
    const auto not_before = in.get_varint();
    if (!not_before) return corrupt();
    run.not_before_ms = static_cast<std::int64_t>(*not_before);
    if (!in.at_end()) {
        const auto parked_on = in.get_string();
        if (!parked_on || parked_on->empty() || !in.at_end()) return corrupt();
        run.parked_on = *parked_on;
    }
    return run;
}

bool from_newer_ferry(std::string_view run_bytes) {
    store::byte_reader in(run_bytes);
    const auto format = in.get_byte();
    if (!format) return false;
    if (store::is_newer_format(*format, run_format)) return true;
    if (*format != run_format) return false;
    const auto record = in.get_string();
    if (!record) return false;
    if (store::newer_execution_format(*record)) return true;
    std::vector<std::pair<std::string, std::string>> documents;
    if (!get_pairs(in, documents)) return false;
    return std::any_of(documents.begin(), documents.end(), [](const auto& document) {
        return store::newer_document_format(document.second);
    });
}

std::string encode_documents(const std::vector<std::pair<std::string, std::string>>& documents) {
    store::byte_writer out;
    out.put_byte(documents_format);
    put_pairs(out, documents);
    return out.take();
}

boost::system::result<std::vector<std::pair<std::string, std::string>>> decode_documents(
    std::string_view bytes) {
    store::byte_reader in(bytes);
    std::vector<std::pair<std::string, std::string>> documents;
    if (in.get_byte() != documents_format || !get_pairs(in, documents) || !in.at_end()) {
        return corrupt();
    }
    for (const auto& [id, doc] : documents) {
        if (!store::check_document(doc)) return corrupt();
    }
    return documents;
}

std::string encode_outcome(const recorded_outcome& outcome) {
    store::byte_writer out;
    out.put_byte(outcome_format);
    out.put_string(outcome.record);
    put_pairs(out, outcome.documents);
    out.put_varint(outcome.started.size());
    for (std::size_t i = 0; i < outcome.started.size(); ++i) {
        out.put_string(outcome.started_ids[i]);
        out.put_string(outcome.started[i]);
    }
    out.put_varint(outcome.dead.size());
    for (const auto& d : outcome.dead) {
        out.put_string(d.execution_id);
        out.put_string(d.queue);
        out.put_varint(static_cast<std::uint64_t>(d.dead_ms));
    }
    out.put_varint(0);  // formerly the finish's kept answers, now written apart
    return out.take();
}

boost::system::result<recorded_outcome> decode_outcome(std::string_view bytes) {
    store::byte_reader in(bytes);
    recorded_outcome outcome;
    const auto format = in.get_byte();
    const auto record = in.get_string();
    if (format != outcome_format || !record || !store::check_execution(*record)) return corrupt();
    outcome.record = *record;
    if (!get_pairs(in, outcome.documents)) return corrupt();
    const auto started = in.get_varint();
    if (!started) return corrupt();
    for (std::uint64_t i = 0; i < *started; ++i) {
        const auto id = in.get_string();
        const auto run = in.get_string();
        if (!id || !run) return corrupt();
        outcome.started_ids.emplace_back(*id);
        outcome.started.emplace_back(*run);
    }
    const auto dead = in.get_varint();
    if (!dead) return corrupt();
    for (std::uint64_t i = 0; i < *dead; ++i) {
        const auto id = in.get_string();
        const auto queue = in.get_string();
        const auto ms = in.get_varint();
        if (!id || !queue || !ms) return corrupt();
        outcome.dead.push_back(
            {std::string(*id), std::string(*queue), static_cast<std::int64_t>(*ms)});
    }
    std::vector<std::pair<std::string, std::string>> formerly_answers;
    if (!get_pairs(in, formerly_answers) || !in.at_end()) return corrupt();
    return outcome;
}

std::string escaped(std::string_view text, char escape, std::string_view kept) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '_' || kept.find(c) != std::string_view::npos) {
            out.push_back(c);
        } else {
            out.push_back(escape);
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 0xf]);
        }
    }
    return out;
}

std::optional<std::string> unescaped(std::string_view text, char escape) {
    const auto hex_value = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != escape) {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return out;
}

std::string subject_token(std::string_view text) {
    auto out = escaped(text, '~');
    if (out.empty()) out = "~";  // a subject token is never empty
    return out;
}

}  // namespace ferry::engine::cluster
