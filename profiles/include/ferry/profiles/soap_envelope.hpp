#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/profiles/xml_check.hpp"

namespace ferry::profiles {

enum class soap_version { v1_1, v1_2 };

inline constexpr std::string_view soap11_namespace = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view soap12_namespace = "http://www.w3.org/2003/05/soap-envelope";
/// The namespace of operation wrappers and list wrappers, as Boomi's Web Services Server uses
/// it, so that existing clients keep working.
inline constexpr std::string_view wss_namespace = "http://www.boomi.com/connector/wss";

/// A SOAP request taken apart (SPEC §2): the element in the Body names the operation; its
/// child elements are the payload, each cut out with its exact bytes and the namespace
/// declarations in scope added, so each stands alone as a document.
struct soap_request {
    soap_version version = soap_version::v1_1;
    std::string operation;            // the local name of the Body's element
    std::string operation_namespace;  // its namespace URI
    std::vector<std::string> payload;
    /// Where each payload element starts in the envelope (1-based line and column of its '<')
    /// and how the namespace declarations added to its start tag moved the rest of that line.
    struct origin {
        std::size_t line = 1;
        std::size_t column = 1;
        std::size_t added_at = 0;  // byte offset in the payload where declarations were added
        std::size_t added = 0;     // their length
    };
    std::vector<origin> origins;
    /// A position (1-based line, column) in payload element `index` as a position in the
    /// envelope, so that a client is told where the problem is in what it sent.
    std::pair<std::size_t, std::size_t> in_envelope(std::size_t index, std::size_t line,
                                                    std::size_t column) const;
    /// Header blocks marked mustUnderstand (qualified names as written): ferry understands
    /// none, so a request with one is answered with a MustUnderstand fault.
    std::vector<std::string> must_understand;
};

/// Why an envelope cannot be read: not XML, not a SOAP envelope (`version_mismatch` when the
/// root is an Envelope in another namespace), or not the shape ferry serves.
struct soap_problem {
    xml_problem where;
    bool version_mismatch = false;
};

/// Reads a SOAP 1.1 or 1.2 envelope: well-formedness first (secure parser: no DTD, no external
/// entity; SOAP forbids DTDs anyway), then Envelope, optional Header, Body with exactly one
/// element. Character data directly inside the operation element is refused.
[[nodiscard]] boost::system::result<soap_request, soap_problem> read_soap_envelope(
    std::string_view text);

/// Writes an envelope of `version` around `body_content` (elements, already serialised).
std::string soap_envelope(soap_version version, std::string_view body_content);

}  // namespace ferry::profiles
