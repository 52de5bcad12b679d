#pragma once

#include <boost/system/result.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/profiles/profile.hpp"
#include "ferry/profiles/xsd.hpp"

namespace ferry::profiles {

/// What a SOAP message of an operation carries: nothing, one document, or a list of them.
enum class message_shape { none, one, list };

/// One operation as the WSDL describes it (SPEC §2, §6).
struct wsdl_operation {
    std::string name;    // createOrder
    std::string object;  // Order: names the list wrappers OrderList, OrderResponseList
    message_shape input = message_shape::one;
    message_shape output = message_shape::none;
    const profile* request = nullptr;   // XML profile of a request document; null: any element
    const profile* response = nullptr;  // XML profile of a reply document; null: any element
};

/// Where the service is and how its schemas are delivered.
struct wsdl_options {
    std::string base_url;    // "http://host:9090": the ports' addresses start with it
    bool single = true;      // schemas inside the WSDL; else one schema per namespace
    std::string schema_url;  // multi: schema N (1-based) is at schema_url + N
    /// What the ports' paths end with after /ws/soap and /ws/soap12: "/orders/v2" for an
    /// API's SOAP endpoints, "" for the server-wide ones.
    std::string endpoint_suffix{};
};

/// A generated service description: the WSDL and the schemas it uses. In multi mode the WSDL
/// imports the schema of each namespace by URL (their imports of each other carry the URLs
/// too); elements without a namespace are always inside the WSDL.
struct service_description {
    std::string wsdl;
    std::vector<schema_document> schemas;  // profile namespaces, then the wrappers' schema
};

/// A document/literal WSDL 1.1 for `operations` with a SOAP 1.1 port at /ws/soap and a SOAP 1.2
/// port at /ws/soap12. Each operation `op` takes `<wss:op>` holding its document, a
/// `<wss:OBJECTList>` of documents, or nothing, and answers `<wss:opResponse>` holding its
/// document, a `<wss:OBJECTResponseList moreDataToken="...">` or, for an asynchronous
/// operation, the receipt (executionId, documentCount, documentId*, durability). Operations
/// with list replies also get `opMoreResults` (moreDataToken) answering the next page.
/// Fails when the profiles cannot be written as XSD next to each other.
[[nodiscard]] boost::system::result<service_description, std::string> describe_service(
    std::span<const wsdl_operation> operations, const wsdl_options& options);

}  // namespace ferry::profiles
