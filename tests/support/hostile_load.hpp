#pragma once

// What the tests of hostile clients share (integration/hostile_test.cpp, edge_abuse_test.cpp):
// the server's memory from /proc, room for many connections, a caller served throughout, and
// waiting until the server has closed a flood of connections.
#include <sys/resource.h>
#include <sys/types.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/eventually.hpp"
#include "support/http_client.hpp"

namespace ferry::test {

/// A /proc/<pid>/status field in kB (VmRSS, VmHWM); -1 when absent.
inline long memory_kb(pid_t pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with(field + ":")) return std::stol(line.substr(field.size() + 1));
    }
    return -1;
}

/// Raises this process's open-file limit to its hard limit (servers it starts inherit it).
inline void raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

/// Echo calls (the echo process) in a loop until destroyed, counting those answered right and
/// the others: the caller that must be served while others abuse the server.
struct bystander {
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0};
    std::atomic<int> failed{0};
    std::thread thread;

    explicit bystander(std::uint16_t port) {
        thread = std::thread([this, port] {
            while (!stop) {
                const auto r = http_request(port, "POST", "/ws/simple/executeEcho", "hi");
                (r.status == 200 && r.body == "hi" ? ok : failed).fetch_add(1);
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
    }
    ~bystander() {
        stop = true;
        thread.join();
    }
    bystander(const bystander&) = delete;
    bystander& operator=(const bystander&) = delete;
};

/// Waits until the server has closed every one of `sockets` (reading past anything it wrote
/// first); returns how many it closed within `limit`.
inline std::size_t wait_until_closed(std::vector<boost::asio::ip::tcp::socket>& sockets,
                                     std::chrono::seconds limit) {
    std::vector<bool> is_closed(sockets.size(), false);
    std::size_t closed = 0;
    eventually(
        [&] {
            for (std::size_t i = 0; i < sockets.size(); ++i) {
                if (is_closed[i]) continue;
                std::array<char, 4096> sink;
                boost::system::error_code ec;
                sockets[i].non_blocking(true);
                while (!ec) sockets[i].read_some(boost::asio::buffer(sink), ec);
                if (ec != boost::asio::error::would_block) {
                    is_closed[i] = true;
                    ++closed;
                }
            }
            return closed == sockets.size();
        },
        limit, std::chrono::milliseconds(100));
    return closed;
}

}  // namespace ferry::test
