#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ferry::test {

/// Runs the real `ferry serve` binary as a child process on a free loopback port.
/// The child's stderr goes to `log_file`, so a failing test can show it.
class server_process {
public:
    /// Starts `ferry serve --port 0 --processes P --data D extra...` and waits (up to 30 s) for
    /// it to report its port. Throws when it does not.
    server_process(const std::string& processes, const std::string& data,
                   std::vector<std::string> extra = {});
    ~server_process();
    /// Starts `ferry worker --connect ENDPOINT --data DATA` and waits (up to 30 s) for it to
    /// report that it runs; port() is 0.
    static std::unique_ptr<server_process> worker(const std::string& endpoint,
                                                  const std::string& data);
    /// Starts `ferry worker --cluster URLS --processes P --data DATA extra...` and waits (up
    /// to 30 s) for it to report that it joined.
    static std::unique_ptr<server_process> cluster_worker(const std::string& urls,
                                                          const std::string& processes,
                                                          const std::string& data,
                                                          std::vector<std::string> extra = {});
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    /// SIGTERM, then waits; returns the exit status (-1 if it had to be killed).
    int stop();
    /// Sends SIGTERM without waiting (stop() or wait_exit() collects the status).
    void terminate();
    /// Waits for the process to exit on its own; returns its exit status (-1 if killed).
    int wait_exit();
    /// SIGKILL, then waits: a crash at whatever point the server was.
    void kill9();
    std::string log() const;

private:
    server_process() = default;
    // Forks and execs `args`, stderr to `log_file`, and returns what the child prints on
    // stdout after `marker` up to the end of that line.
    std::string launch(std::vector<std::string> args, std::string log_file,
                       const std::string& marker);
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::string log_file_;
};

}  // namespace ferry::test
