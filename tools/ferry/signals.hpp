#pragma once

#include <pthread.h>
#include <signal.h>

namespace ferry::tools {

/// Blocks SIGTERM and SIGINT in this thread and every thread started after it, so that only
/// wait_for_stop_signal() sees them. Call before any thread starts.
inline sigset_t block_stop_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return signals;
}

/// Waits for SIGTERM or SIGINT; returns which.
inline int wait_for_stop_signal(const sigset_t& signals) {
    int signal = 0;
    sigwait(&signals, &signal);
    return signal;
}

}  // namespace ferry::tools
