#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace ferry::test {

/// Polls GET /_admin/executions/<id> until the execution has succeeded or failed (or `limit`
/// passes) and returns the last answer. An execution the server does not know (yet) is waited
/// for too; at the deadline its "state" is "absent: <status> <body>".
boost::json::object wait_finished(std::uint16_t port, const std::string& id,
                                  std::chrono::seconds limit = std::chrono::seconds(60));

/// The value of one unlabelled metric in GET /metrics ("" when absent).
std::string metric(std::uint16_t port, const std::string& name);

/// A counter counted after the event a test waits for (an execution's finish is counted after
/// its state is visible): polls until it reaches `expected` (or `limit` passes), then reads it
/// once more after `settle`, so a count that goes past `expected` is seen too.
std::string settled_metric(std::uint16_t port, const std::string& name, std::uint64_t expected,
                           std::chrono::seconds limit = std::chrono::seconds(30),
                           std::chrono::milliseconds settle = std::chrono::milliseconds(300));

}  // namespace ferry::test
