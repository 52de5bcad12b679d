#include "ferry/store/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace ferry::log {
namespace {

std::atomic<format> current_format{format::text};
std::atomic<level> current_minimum{level::info};
std::mutex write_mutex;

constexpr std::string_view names[] = {"debug", "info", "warn", "error"};

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (const unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                    out += escaped;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t seconds = ms / 1000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char out[40];
    const auto n = std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(out + n, sizeof out - n, ".%03dZ", static_cast<int>(ms % 1000));
    return out;
}

}  // namespace

void configure(format f, level minimum) {
    current_format = f;
    current_minimum = minimum;
}

bool parse_level(std::string_view text, level& out) {
    for (int i = 0; i < 4; ++i) {
        if (names[i] == text) {
            out = static_cast<level>(i);
            return true;
        }
    }
    return false;
}

bool enabled(level l) { return l >= current_minimum.load(std::memory_order_relaxed); }

void write(level l, std::string_view component, std::string_view message,
           std::initializer_list<field> fields) {
    if (!enabled(l)) return;
    std::string line;
    if (current_format.load(std::memory_order_relaxed) == format::json) {
        line = "{\"ts\":\"" + timestamp() + "\",\"level\":\"" +
               std::string(names[static_cast<int>(l)]) + "\",\"component\":";
        append_json_string(line, component);
        line += ",\"msg\":";
        append_json_string(line, message);
        for (const auto& f : fields) {
            if (f.value.empty()) continue;
            line += ',';
            append_json_string(line, f.key);
            line += ':';
            append_json_string(line, f.value);
        }
        line += "}\n";
    } else {
        line = "ferry " + std::string(component) + ": " + std::string(message);
        for (const auto& f : fields) {
            if (f.value.empty()) continue;
            line += " " + std::string(f.key) + "=" + std::string(f.value);
        }
        line += '\n';
    }
    std::lock_guard lock(write_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace ferry::log
