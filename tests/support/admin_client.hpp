#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace ferry::test {

/// Polls GET /_admin/executions/<id> until the execution has succeeded or failed (or `limit`
/// passes) and returns the last answer.
boost::json::object wait_finished(std::uint16_t port, const std::string& id,
                                  std::chrono::seconds limit = std::chrono::seconds(60));

/// The value of one unlabelled metric in GET /metrics ("" when absent).
std::string metric(std::uint16_t port, const std::string& name);

}  // namespace ferry::test
