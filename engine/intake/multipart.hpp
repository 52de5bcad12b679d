#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/store/records.hpp"

namespace ferry::engine {

/// The boundary parameter of a `multipart/...` content type, or an error sentence.
[[nodiscard]] boost::system::result<std::string, std::string> multipart_boundary(
    std::string_view content_type);

/// Splits a multipart body (RFC 2046) into its parts: each part's bytes, with its headers as
/// document properties `inheader_<Name>` and, from Content-Disposition, `inpart_name` and
/// `inpart_filename`. CRLF line ends, as the RFC says; bare LF is accepted as well.
[[nodiscard]] boost::system::result<std::vector<store::document>, std::string> split_multipart(
    std::string_view body, std::string_view boundary);

}  // namespace ferry::engine
