#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace ferry::test {

/// Real `nats-server` processes with JetStream on loopback (three by default), routed into one
/// cluster, each with its own store directory; stopped by pid when it goes. One server runs
/// alone, without a cluster: JetStream is ready at once (no leader to elect).
class nats_cluster {
public:
    /// Starts the servers and waits (up to 20 s) until each takes connections. Throws when one
    /// does not. `extra_config` is added to every server's configuration (tls, authorization).
    explicit nats_cluster(std::size_t servers = 3, const std::string& extra_config = {});
    ~nats_cluster();
    nats_cluster(const nats_cluster&) = delete;
    nats_cluster& operator=(const nats_cluster&) = delete;

    /// nats://127.0.0.1:PORT of every server.
    std::vector<std::string> urls() const;
    /// The server called `name` (n1, n2, n3), as JetStream names stream leaders.
    std::size_t index_of(const std::string& name) const;
    /// SIGKILL, then waits: the machine died.
    void kill9(std::size_t server);
    /// Deletes a stopped server's store: everything it had not sent elsewhere is gone (what an
    /// unflushed tail lost in a power failure comes to, at its worst).
    void wipe(std::size_t server);
    /// Starts a stopped server again on its ports and store.
    void restart(std::size_t server);
    /// SIGSTOP / SIGCONT: the server hangs (a stalled machine, a long GC pause) and comes back.
    void pause(std::size_t server);
    void resume(std::size_t server);
    /// Copies a stopped server's store aside, and later puts that copy back in place of what
    /// the store holds then: the server forgets everything written in between (an unflushed
    /// tail lost in a power failure).
    void snapshot(std::size_t server);
    void restore_snapshot(std::size_t server);
    /// The server's log, for a failing test to show.
    std::string log(std::size_t server) const;

private:
    struct server {
        std::string name;
        std::uint16_t client_port = 0;
        std::uint16_t route_port = 0;
        std::string config_file;
        std::string log_file;
        pid_t pid = -1;
    };
    void start(server& s);
    void stop(server& s, int signal);

    temp_dir dir_;
    std::vector<server> servers_;
};

}  // namespace ferry::test
