#include "support/server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.hpp"

namespace ferry::test {

server_process::server_process(const std::string& processes, const std::string& data,
                               std::vector<std::string> extra) {
    std::vector<std::string> args = {FERRY_BINARY,  "serve",   "--port", "0",
                                     "--processes", processes, "--data", data};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto port = launch(std::move(args), data + ".log", "ferry listening on 127.0.0.1:");
    port_ = static_cast<std::uint16_t>(std::stoi(port));
}

std::unique_ptr<server_process> server_process::worker(const std::string& endpoint,
                                                       const std::string& data) {
    std::unique_ptr<server_process> w(new server_process());
    w->launch({FERRY_BINARY, "worker", "--connect", endpoint, "--data", data}, data + ".log",
              "ferry worker ");
    return w;
}

std::unique_ptr<server_process> server_process::cluster_worker(const std::string& urls,
                                                               const std::string& processes,
                                                               const std::string& data,
                                                               std::vector<std::string> extra) {
    std::unique_ptr<server_process> w(new server_process());
    std::vector<std::string> args = {FERRY_BINARY,  "worker",  "--cluster", urls,
                                     "--processes", processes, "--data",    data};
    args.insert(args.end(), extra.begin(), extra.end());
    w->launch(std::move(args), data + ".log", "ferry worker ");
    return w;
}

std::string server_process::launch(std::vector<std::string> args, std::string log_file,
                                   const std::string& marker) {
    log_file_ = std::move(log_file);
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    // posix_spawn, not fork: the child of a multithreaded, ThreadSanitizer-instrumented test
    // can deadlock in an intercepted call between fork and exec (a lock another thread held
    // at the fork); posix_spawn runs no code of ours in the child.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_file_.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, out[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        pid_ = -1;
        close(out[0]);
        close(out[1]);
        throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(spawned));
    }
    close(out[1]);
    std::string seen;
    std::string reported;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd fd{out[0], POLLIN, 0};
        if (poll(&fd, 1, 100) <= 0) continue;
        char buf[256];
        const auto n = read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        seen.append(buf, static_cast<std::size_t>(n));
        const auto at = seen.find(marker);
        const auto eol = at == std::string::npos ? at : seen.find('\n', at);
        if (eol != std::string::npos) {
            reported = seen.substr(at + marker.size(), eol - at - marker.size());
            break;
        }
    }
    close(out[0]);
    if (reported.empty()) {
        kill9();
        throw std::runtime_error(args[1] + " did not start; its log:\n" + log());
    }
    return reported;
}

server_process::~server_process() {
    if (pid_ > 0) stop();
}

int server_process::stop() {
    terminate();
    return wait_exit();
}

void server_process::terminate() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
}

int server_process::wait_exit() {
    if (pid_ <= 0) return -1;
    int status = 0;
    for (int i = 0; i < 3000; ++i) {  // 30 s
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill9();
    return -1;
}

void server_process::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

std::string server_process::log() const { return read_file(log_file_); }

}  // namespace ferry::test
