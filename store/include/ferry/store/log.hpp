#pragma once

// ferry's log: one line per event on stderr, as text ("ferry executor: message key=value")
// or JSON ({"ts":..., "level":..., "component":..., "msg":..., "execution_id":...}) for log
// shippers. It lives in the lowest library so that every layer can use it.
#include <initializer_list>
#include <string>
#include <string_view>

namespace ferry::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };
enum class format { text, json };

/// Process-wide; set once at start-up, before threads log.
void configure(format f, level minimum);
bool parse_level(std::string_view text, level& out);

/// A key and its value; an empty value leaves the field out.
struct field {
    std::string_view key;
    std::string_view value;
};

bool enabled(level l);
/// Writes one line (thread-safe; lines never interleave).
void write(level l, std::string_view component, std::string_view message,
           std::initializer_list<field> fields = {});

inline void debug(std::string_view component, std::string_view message,
                  std::initializer_list<field> fields = {}) {
    if (enabled(level::debug)) write(level::debug, component, message, fields);
}
inline void info(std::string_view component, std::string_view message,
                 std::initializer_list<field> fields = {}) {
    write(level::info, component, message, fields);
}
inline void warn(std::string_view component, std::string_view message,
                 std::initializer_list<field> fields = {}) {
    write(level::warn, component, message, fields);
}
inline void error(std::string_view component, std::string_view message,
                  std::initializer_list<field> fields = {}) {
    write(level::error, component, message, fields);
}

}  // namespace ferry::log
