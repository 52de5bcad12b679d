#include "support/nats_cluster.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "support/eventually.hpp"
#include "support/http_client.hpp"

extern char** environ;

namespace ferry::test {
namespace {

constexpr const char* nats_server = "/usr/sbin/nats-server";

bool accepts(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

nats_cluster::nats_cluster(std::size_t servers, const std::string& extra_config) {
    servers_.resize(servers);
    // Two ports each, all different: free_port() releases each before the next is asked for.
    std::set<std::uint16_t> ports;
    while (ports.size() < 2 * servers_.size()) ports.insert(free_port());
    auto port = ports.begin();
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        auto& s = servers_[i];
        s.name = "n" + std::to_string(i + 1);
        s.client_port = *port++;
        s.route_port = *port++;
    }
    std::string routes;
    for (const auto& s : servers_) {
        if (!routes.empty()) routes += ", ";  // the route list needs commas
        routes += "nats-route://127.0.0.1:" + std::to_string(s.route_port);
    }
    for (auto& s : servers_) {
        const auto store = dir_.path() / s.name;
        s.config_file =
            dir_.write(s.name + ".conf",
                       "server_name: " + s.name +
                           "\nlisten: 127.0.0.1:" + std::to_string(s.client_port) +
                           "\njetstream {\n  store_dir: \"" + store.string() +
                           "\"\n  max_memory_store: 64MB\n  max_file_store: 1GB\n}\n" +
                           extra_config + "\n" +
                           (servers_.size() == 1
                                ? std::string()
                                : "cluster {\n  name: ferry-test\n  listen: 127.0.0.1:" +
                                      std::to_string(s.route_port) + "\n  routes: [" + routes +
                                      "]\n}\n"))
                .string();
        s.log_file = (dir_.path() / (s.name + ".log")).string();
        start(s);
    }
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        if (!eventually([&] { return accepts(servers_[i].client_port); }, std::chrono::seconds(20),
                        std::chrono::milliseconds(20))) {
            throw std::runtime_error("nats-server " + servers_[i].name +
                                     " did not start: " + log(i));
        }
    }
}

nats_cluster::~nats_cluster() {
    for (auto& s : servers_) stop(s, SIGTERM);
}

void nats_cluster::start(server& s) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, s.log_file.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<std::string> args = {nats_server, "-c", s.config_file};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&s.pid, nats_server, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        s.pid = -1;
        throw std::runtime_error("cannot start " + std::string(nats_server) +
                                 " (apt-get install nats-server)");
    }
}

void nats_cluster::stop(server& s, int signal) {
    if (s.pid <= 0) return;
    ::kill(s.pid, signal);
    int status = 0;
    ::waitpid(s.pid, &status, 0);
    s.pid = -1;
}

std::vector<std::string> nats_cluster::urls() const {
    std::vector<std::string> out;
    for (const auto& s : servers_)
        out.push_back("nats://127.0.0.1:" + std::to_string(s.client_port));
    return out;
}

std::size_t nats_cluster::index_of(const std::string& name) const {
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        if (servers_[i].name == name) return i;
    }
    throw std::runtime_error("no nats-server called '" + name + "'");
}

void nats_cluster::kill9(std::size_t server) { stop(servers_.at(server), SIGKILL); }

void nats_cluster::wipe(std::size_t server) {
    std::filesystem::remove_all(dir_.path() / servers_.at(server).name);
}

void nats_cluster::pause(std::size_t server) { ::kill(servers_.at(server).pid, SIGSTOP); }

void nats_cluster::resume(std::size_t server) { ::kill(servers_.at(server).pid, SIGCONT); }

void nats_cluster::snapshot(std::size_t server) {
    const auto store = dir_.path() / servers_.at(server).name;
    const auto copy = dir_.path() / (servers_.at(server).name + ".snapshot");
    std::filesystem::remove_all(copy);
    std::filesystem::copy(store, copy, std::filesystem::copy_options::recursive);
}

void nats_cluster::restore_snapshot(std::size_t server) {
    const auto store = dir_.path() / servers_.at(server).name;
    const auto copy = dir_.path() / (servers_.at(server).name + ".snapshot");
    std::filesystem::remove_all(store);
    std::filesystem::copy(copy, store, std::filesystem::copy_options::recursive);
}

void nats_cluster::restart(std::size_t server) {
    auto& s = servers_.at(server);
    start(s);
    if (!eventually([&] { return accepts(s.client_port); }, std::chrono::seconds(20),
                    std::chrono::milliseconds(20))) {
        throw std::runtime_error("nats-server " + s.name + " did not start again: " + log(server));
    }
}

std::string nats_cluster::log(std::size_t server) const {
    return read_file(servers_.at(server).log_file);
}

}  // namespace ferry::test
