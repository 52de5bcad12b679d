// How answers of the SOAP endpoints are written: replies and receipts in the operation's
// response element, every error a SOAP fault (SOAP 1.1 §4.4, SOAP 1.2 part 1 §5.4).
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "ferry/engine/model/process.hpp"
#include "ferry/profiles/soap_envelope.hpp"
#include "ferry/profiles/xml_text.hpp"
#include "services/web_services.hpp"

namespace ferry::ingress {
namespace {

using engine::data_type;
using profiles::xml_escaped;

constexpr std::string_view fault_namespace = "urn:ferry:fault";

std::string text_of(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v) return {};
    if (const auto* s = v->if_string()) return std::string(*s);
    if (v->is_int64()) return std::to_string(v->as_int64());
    if (v->is_uint64()) return std::to_string(v->as_uint64());
    return {};
}

// Refusals of the HTTP exchange itself keep their status: clients and proxies act on them
// (credentials, retry later, smaller body).
bool transport_status(unsigned status) {
    switch (status) {
        case 401:
        case 403:
        case 405:
        case 408:
        case 413:
        case 415:
        case 429:
        case 503:
            return true;
        default:
            return false;
    }
}

// ferry's error fields, for programs: the code, the execution and step, the profile problem.
std::string fault_detail(const boost::json::object& error) {
    std::string out = "<ferry:fault xmlns:ferry=\"" + std::string(fault_namespace) + "\">";
    out += "<ferry:error>" + xml_escaped(text_of(error, "error")) + "</ferry:error>";
    if (const auto id = text_of(error, "execution_id"); !id.empty()) {
        out += "<ferry:executionId>" + xml_escaped(id) + "</ferry:executionId>";
    }
    if (const auto step = text_of(error, "step"); !step.empty()) {
        out += "<ferry:step>" + xml_escaped(step) + "</ferry:step>";
    }
    if (const auto* problem = error.if_contains("problem"); problem && problem->is_object()) {
        const auto& p = problem->as_object();
        out += "<ferry:problem";
        for (const auto* key : {"profile", "document", "path", "line", "column", "rule"}) {
            out += " " + std::string(key) + "=\"" + xml_escaped(text_of(p, key)) + "\"";
        }
        out += "/>";
    }
    return out + "</ferry:fault>";
}

std::string_view soap_content_type(web_service protocol) {
    return protocol == web_service::soap11 ? "text/xml; charset=utf-8"
                                           : "application/soap+xml; charset=utf-8";
}

profiles::soap_version version_of(web_service protocol) {
    return protocol == web_service::soap11 ? profiles::soap_version::v1_1
                                           : profiles::soap_version::v1_2;
}

std::string wss_open(std::string_view name) {
    return "<wss:" + std::string(name) + " xmlns:wss=\"" + std::string(profiles::wss_namespace) +
           "\">";
}

// The receipt of an asynchronous operation (or of a call that stopped waiting), from the
// JSON the engine wrote, as the operation's response element.
std::string receipt_content(std::string_view json) {
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(json, ec);
    std::string out;
    if (ec || !parsed.is_object()) return out;
    const auto& r = parsed.as_object();
    const auto text = [&](std::string_view key) { return text_of(r, key); };
    out += "<wss:executionId>" + xml_escaped(text("execution_id")) + "</wss:executionId>";
    out += "<wss:documentCount>" + xml_escaped(text("document_count")) + "</wss:documentCount>";
    if (const auto* ids = r.if_contains("documents"); ids && ids->is_array()) {
        for (const auto& id : ids->as_array()) {
            if (const auto* s = id.if_string()) {
                out += "<wss:documentId>" + xml_escaped(*s) + "</wss:documentId>";
            }
        }
    }
    out += "<wss:durability>" + xml_escaped(text("durability")) + "</wss:durability>";
    return out;
}

// <ObjectResponseList ...>...</ObjectResponseList> renamed to the operation's list wrapper.
std::string renamed_list(std::string_view body, const std::string& wrapper) {
    static constexpr std::string_view open = "<ObjectResponseList";
    static constexpr std::string_view close = "</ObjectResponseList>";
    body = profiles::without_xml_declaration(body);
    if (!body.starts_with(open)) return std::string(body);
    std::string out = "<wss:" + wrapper;
    auto rest = body.substr(open.size());
    if (rest.ends_with(close)) {
        out += rest.substr(0, rest.size() - close.size());
        out += "</wss:" + wrapper + ">";
    } else {
        out += rest;
    }
    return out;
}

}  // namespace

response soap_fault(response res, web_service protocol) {
    const auto status = res.result_int();
    if (protocol == web_service::simple || status < 400 ||
        !std::string_view(res[http::field::content_type]).starts_with("application/json")) {
        return res;
    }
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(res.body(), ec);
    boost::json::object error;
    if (!ec && parsed.is_object()) error = parsed.as_object();
    const auto code = text_of(error, "error");
    auto reason = text_of(error, "detail");
    if (reason.empty()) reason = text_of(error, "message");
    if (const auto step = text_of(error, "step"); !step.empty()) {
        reason = "step '" + step + "' failed: " + reason;
    }
    if (reason.empty()) reason = code;

    const bool v11 = protocol == web_service::soap11;
    const bool receiver = status >= 500 && status != 503;
    std::string fault_code = receiver ? (v11 ? "Server" : "Receiver") : (v11 ? "Client" : "Sender");
    if (code == "version_mismatch") fault_code = "VersionMismatch";
    if (code == "must_understand") fault_code = "MustUnderstand";
    unsigned new_status = status;
    if (!transport_status(status)) {
        new_status =
            (v11 || receiver || fault_code == "VersionMismatch" || fault_code == "MustUnderstand")
                ? 500
                : 400;
    }
    std::string fault;
    if (v11) {
        fault = "<soap:Fault><faultcode>soap:" + fault_code + "</faultcode><faultstring>" +
                xml_escaped(reason) + "</faultstring><detail>" + fault_detail(error) +
                "</detail></soap:Fault>";
    } else {
        fault = "<soap:Fault><soap:Code><soap:Value>soap:" + fault_code +
                "</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang=\"en\">" +
                xml_escaped(reason) + "</soap:Text></soap:Reason><soap:Detail>" +
                fault_detail(error) + "</soap:Detail></soap:Fault>";
    }
    res.result(new_status);
    res.set(http::field::content_type,
            v11 ? "text/xml; charset=utf-8" : "application/soap+xml; charset=utf-8");
    res.body() = profiles::soap_envelope(
        v11 ? profiles::soap_version::v1_1 : profiles::soap_version::v1_2, fault);
    res.prepare_payload();
    return res;
}

// An answer of the operation's process (or a receipt) as the SOAP response; errors as faults.
response soap_reply(response res, web_service protocol, const engine::process& p) {
    const auto content_type = std::string_view(res[http::field::content_type]);
    const bool json = content_type.starts_with("application/json");
    if (res.result_int() >= 400 && json) return soap_fault(std::move(res), protocol);
    const auto operation = p.listen.operation_name();
    std::string content;
    if (json) {
        // Stored, the process runs on. An asynchronous operation's receipt is its answer, and
        // SOAP toolkits take only 200 for one (a caller that stopped waiting keeps the 202).
        content = receipt_content(res.body());
        if (p.listen.output == data_type::none) res.result(http::status::ok);
    } else if (res.result() == http::status::no_content) {
        res.result(http::status::ok);
    } else if (p.listen.output == data_type::multiple_xml) {
        content = renamed_list(res.body(), p.listen.object + "ResponseList");
    } else {
        content = std::string(profiles::without_xml_declaration(res.body()));
    }
    res.body() =
        profiles::soap_envelope(version_of(protocol), wss_open(operation + "Response") + content +
                                                          "</wss:" + operation + "Response>");
    res.set(http::field::content_type, soap_content_type(protocol));
    res.erase(http::field::link);  // SOAP clients page with <opMoreResults>
    res.prepare_payload();
    return res;
}

}  // namespace ferry::ingress
