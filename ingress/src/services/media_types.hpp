#pragma once

#include <string>
#include <string_view>

#include "ferry/engine/model/process.hpp"

namespace ferry::ingress {

/// Media types of the REST routes (docs/apis.md): what a route takes (415 otherwise) and
/// answers (406 when Accept takes none of it).

/// The media type a body of `input` is sent as ("application/json").
std::string_view body_media_type(engine::data_type input);

/// Whether a body labelled `content_type` fits `input`: JSON types take application/json and
/// any +json type, XML types application/xml, text/xml and +xml, multipart multipart/form-data,
/// ndjson application/x-ndjson (or application/jsonl); single_data takes anything.
bool accepts_body(engine::data_type input, std::string_view content_type);

/// What `p` answers with: its output's media type, the receipt's JSON when it answers none.
std::string reply_media_type(const engine::process& p);

/// Whether an Accept header takes `media_type` (RFC 9110 §12.5.1: */*, type/*, type/subtype,
/// q=0 refuses); application/xml and text/xml stand in for each other.
bool acceptable(std::string_view accept, std::string_view media_type);

}  // namespace ferry::ingress
