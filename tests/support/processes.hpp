#pragma once

// Process definitions several integration suites use, written into a test's processes
// directory.
#include <string>

namespace ferry::test {

/// A low_latency echo: operation executeEcho, input and output single_data.
inline std::string echo_process() {
    return R"(name: echo
mode: low_latency
listen: {type: execute, object: Echo, input: single_data, output: single_data}
steps:
  - message: {template: "{1}", variables: [current_data]}
  - return: {}
)";
}

/// A general-mode process that takes `backoff_ms` (a failed try, then one retry after the
/// backoff) before it answers `{"done": <the posted JSON>}`: for calls still running when
/// something else happens. Operation createSlow, input and output single_json.
inline std::string slow_process(int backoff_ms) {
    return R"(name: slow
listen: {type: create, object: Slow, input: single_json, output: single_json}
steps:
  - try_catch:
      retries: 1
      backoff_ms: )" +
           std::to_string(backoff_ms) + R"(
      try:
        - exception: {message: busy}
      catch:
        - message: {template: "'{'\"done\": {1}'}'", variables: [current_data]}
        - return: {}
)";
}

}  // namespace ferry::test
