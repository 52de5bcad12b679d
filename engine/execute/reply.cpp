#include "ferry/engine/execute/reply.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdlib>
#include <span>

#include "ferry/profiles/xml_text.hpp"
#include "ferry/store/codec.hpp"
#include "ferry/transport/error.hpp"
#include "intake/json_scan.hpp"

namespace ferry::engine {
namespace {

http_answer error_answer(unsigned status, std::string_view error, const std::string& execution_id,
                         std::string_view step, std::string_view message) {
    boost::json::object body;
    body["error"] = error;
    body["execution_id"] = execution_id;
    if (!step.empty()) body["step"] = step;
    body["message"] = message;
    return {status, {{"Content-Type", "application/json"}}, boost::json::serialize(body)};
}

std::string_view content_type(const process& p) {
    switch (p.listen.output) {
        case data_type::single_json:
        case data_type::multiple_json:
            return "application/json";
        case data_type::single_xml:
        case data_type::multiple_xml:
            return "application/xml";
        default:
            return p.listen.result_content_type;
    }
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Response headers a process may not set: they describe the connection or the framing.
bool protected_header(std::string_view name) {
    static constexpr std::string_view names[] = {"content-length", "transfer-encoding",
                                                 "connection", "upgrade", "keep-alive"};
    const auto l = lower(name);
    for (const auto n : names) {
        if (l == n) return true;
    }
    return false;
}

bool is_list(data_type type) {
    return type == data_type::multiple_json || type == data_type::multiple_xml;
}

// One JSON array or <ObjectResponseList> of `docs`; with a token, the list says where the next
// page is (XML attribute, Link header).
http_answer list_answer(const process& p, const std::string& execution_id,
                        std::span<const working_document> docs, const std::string& next_token) {
    http_answer answer;
    answer.headers.emplace_back("Content-Type", std::string(content_type(p)));
    if (p.listen.output == data_type::multiple_json) {
        answer.body = "[";
        for (std::size_t i = 0; i < docs.size(); ++i) {
            if (const auto e = validate_json(docs[i].doc.data)) {
                return error_answer(500, "invalid_result", execution_id, "",
                                    "returned document " + std::to_string(i + 1) +
                                        " is not JSON: " + e->describe());
            }
            if (i > 0) answer.body += ",";
            answer.body += docs[i].doc.data;
        }
        answer.body += "]";
    } else {
        const std::string open = next_token.empty()
                                     ? "<ObjectResponseList"
                                     : "<ObjectResponseList moreDataToken=\"" + next_token + "\"";
        if (docs.empty()) {
            answer.body = open + "/>";
        } else {
            answer.body = open + ">";
            for (const auto& d : docs) answer.body += profiles::without_xml_declaration(d.doc.data);
            answer.body += "</ObjectResponseList>";
        }
    }
    if (!next_token.empty()) {
        answer.headers.emplace_back("Link", "</ws/simple/" + p.listen.operation_name() +
                                                "?moreDataToken=" + next_token + ">; rel=\"next\"");
    }
    return answer;
}

// Response control by the one result document's properties.
http_answer with_response_control(const process& p, const std::string& execution_id,
                                  const working_document& doc, http_answer answer) {
    const bool typed = p.listen.output != data_type::single_data;
    for (const auto& [name, value] : doc.doc.props) {
        if (name == "outstatuscode") {
            char* end = nullptr;
            const long status = std::strtol(value.c_str(), &end, 10);
            if (value.empty() || *end != '\0' || status < 100 || status > 599) {
                return error_answer(
                    500, "invalid_result", execution_id, "",
                    "outstatuscode '" + value + "' is not an HTTP status (100-599)");
            }
            answer.status = static_cast<unsigned>(status);
        } else if (name.starts_with("outheader_")) {
            const auto header = name.substr(10);
            if (header.empty() || protected_header(header)) continue;
            if (lower(header) == "content-type") {
                if (!typed) answer.headers.front().second = value;
                continue;
            }
            answer.headers.emplace_back(header, value);
        }
    }
    return answer;
}

}  // namespace

http_answer assemble_reply(const process& p, const std::string& execution_id,
                           const run_outcome& outcome) {
    if (!outcome.ok) {
        return error_answer(500, "execution_failed", execution_id, outcome.failed_step,
                            outcome.error);
    }
    const auto& docs = outcome.returned;
    if (is_list(p.listen.output)) {
        auto answer = list_answer(p, execution_id, docs, "");
        if (docs.size() != 1 || answer.status != 200) return answer;
        return with_response_control(p, execution_id, docs.front(), std::move(answer));
    }
    if (docs.empty()) return {204, {}, {}};
    if (docs.size() > 1) {
        return error_answer(500, "too_many_results", execution_id, "",
                            std::to_string(docs.size()) +
                                " documents reached the return step of a " +
                                std::string(to_string(p.listen.output)) +
                                " operation, which answers with one; combine them first");
    }
    http_answer answer;
    answer.headers.emplace_back("Content-Type", std::string(content_type(p)));
    answer.body = docs.front().doc.data;
    return with_response_control(p, execution_id, docs.front(), std::move(answer));
}

paged_answer assemble_pages(const process& p, const std::string& execution_id,
                            const run_outcome& outcome,
                            const std::function<std::string()>& new_token) {
    paged_answer out;
    const auto& docs = outcome.returned;
    const auto size = std::max<std::size_t>(1, p.listen.page_size);
    if (!outcome.ok || !is_list(p.listen.output) || docs.size() <= size) {
        out.first = assemble_reply(p, execution_id, outcome);
        return out;
    }
    // Every page names the next; the tokens are made first.
    const auto pages = (docs.size() + size - 1) / size;
    std::vector<std::string> tokens(pages);
    for (std::size_t i = 1; i < pages; ++i) tokens[i] = new_token();
    for (std::size_t i = 0; i < pages; ++i) {
        const std::span<const working_document> slice(docs.data() + i * size,
                                                      std::min(size, docs.size() - i * size));
        auto page = list_answer(p, execution_id, slice, i + 1 < pages ? tokens[i + 1] : "");
        if (page.status != 200) {  // a document that is not JSON fails the whole reply
            out.first = std::move(page);
            out.later.clear();
            return out;
        }
        if (i == 0) {
            out.first = std::move(page);
        } else {
            out.later.emplace_back(tokens[i], std::move(page));
        }
    }
    return out;
}

std::string encode_kept_answer(std::int64_t expires_ms, const std::string& execution_id,
                               const http_answer& answer) {
    std::string out = store::encode_be64(static_cast<std::uint64_t>(expires_ms));
    store::byte_writer w;
    w.put_string(execution_id);
    w.put_varint(answer.status);
    w.put_varint(answer.headers.size());
    for (const auto& [name, value] : answer.headers) {
        w.put_string(name);
        w.put_string(value);
    }
    w.put_string(answer.body);
    return out + w.take();
}

boost::system::result<kept_answer> decode_kept_answer(std::string_view bytes) {
    if (bytes.size() < 8) return transport::errc::bad_message;
    const auto expires = store::decode_be64(bytes.substr(0, 8));
    store::byte_reader r(bytes.substr(8));
    kept_answer out;
    const auto id = r.get_string();
    const auto status = r.get_varint();
    const auto count = r.get_varint();
    if (!expires || !id || !status || !count) return transport::errc::bad_message;
    out.expires_ms = static_cast<std::int64_t>(*expires);
    out.execution_id = *id;
    out.answer.status = static_cast<unsigned>(*status);
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto name = r.get_string();
        const auto value = r.get_string();
        if (!name || !value) return transport::errc::bad_message;
        out.answer.headers.emplace_back(*name, *value);
    }
    const auto body = r.get_string();
    if (!body) return transport::errc::bad_message;
    out.answer.body = *body;
    return out;
}

namespace {

// A JSON string, quoted and escaped.
void append_json_string(std::string& out, std::string_view text) {
    out += boost::json::serialize(boost::json::string_view(text.data(), text.size()));
}

}  // namespace

http_answer receipt_reply(const receipt& r, bool bulk) {
    // Written directly (every acknowledged post builds one): a json::object costs a map, an
    // array and a serializer for what is a fixed shape.
    std::string body;
    body.reserve(128 + (bulk ? 0 : r.document_count * (r.execution_id.size() + 8)));
    body += "{\"execution_id\":";
    append_json_string(body, r.execution_id);
    body += ",\"document_count\":";
    body += std::to_string(r.document_count);
    if (!bulk) {
        body += ",\"documents\":[";
        for (std::uint64_t i = 0; i < r.document_count; ++i) {
            if (i > 0) body += ',';
            append_json_string(body, document_id(r.execution_id, i));
        }
        body += ']';
    } else if (r.document_count > 0) {
        body += ",\"first_document\":";
        append_json_string(body, document_id(r.execution_id, 0));
        body += ",\"last_document\":";
        append_json_string(body, document_id(r.execution_id, r.document_count - 1));
    }
    body += ",\"durability\":";
    append_json_string(body, r.durability);
    body += '}';
    return {202,
            {{"Content-Type", "application/json"},
             {"X-Execution-Id", r.execution_id},
             {"X-Durability", r.durability},
             {"Location", "/_admin/executions/" + r.execution_id}},
            std::move(body)};
}

transport::frames encode_sync_reply(const std::string& reply_to, const std::string& execution_id,
                                    const http_answer& answer) {
    store::byte_writer head;
    head.put_byte(1);  // format
    head.put_string(execution_id);
    head.put_varint(answer.status);
    head.put_varint(answer.headers.size());
    for (const auto& [name, value] : answer.headers) {
        head.put_string(name);
        head.put_string(value);
    }
    return {reply_to, head.take(), answer.body};
}

boost::system::result<sync_reply> decode_sync_reply(const transport::frames& in) {
    if (in.size() != 3) return transport::errc::bad_message;
    store::byte_reader head(in[1]);
    const auto format = head.get_byte();
    const auto execution_id = head.get_string();
    const auto status = head.get_varint();
    const auto count = head.get_varint();
    if (!format || *format != 1 || !execution_id || !status || !count || *count > in[1].size()) {
        return transport::errc::bad_message;
    }
    sync_reply out{in[0], std::string(*execution_id), {static_cast<unsigned>(*status), {}, in[2]}};
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto name = head.get_string();
        const auto value = head.get_string();
        if (!name || !value) return transport::errc::bad_message;
        out.answer.headers.emplace_back(std::string(*name), std::string(*value));
    }
    return out;
}

}  // namespace ferry::engine
