#pragma once

#include <boost/system/error_code.hpp>

namespace ferry::nats {

/// The NATS C client's status codes (natsStatus) as error codes, named by the client's texts.
const boost::system::error_category& client_category() noexcept;
/// JetStream's API error codes (jsErrCode, e.g. 10059 "stream not found").
const boost::system::error_category& jetstream_category() noexcept;

/// JetStream's codes that callers act on.
namespace jetstream_code {
inline constexpr int stream_not_found = 10059;
inline constexpr int consumer_not_found = 10014;
inline constexpr int stream_name_in_use = 10058;
inline constexpr int cluster_not_available = 10008;  // no meta leader yet (a cluster starting)
inline constexpr int insufficient_resources = 10023;
inline constexpr int no_message_found = 10037;
/// A publish that expected another last sequence on its subject (a create-only or
/// compare-and-set write that lost).
inline constexpr int wrong_last_sequence = 10071;
}  // namespace jetstream_code

/// The error of a failed call: JetStream's code when the server gave one, else the client's
/// status. `status` and `js_code` are the C client's natsStatus and jsErrCode.
boost::system::error_code make_error(int status, int js_code = 0) noexcept;

}  // namespace ferry::nats
