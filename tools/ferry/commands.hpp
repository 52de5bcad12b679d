#pragma once

#include <CLI/CLI.hpp>

namespace ferry::tools {

/// Each subcommand registers its options on `app` and returns the function that runs it.
void add_serve_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_profile_commands(CLI::App& app);
void add_test_command(CLI::App& app);
void add_worker_command(CLI::App& app);
void add_user_command(CLI::App& app);
/// status, executions, show, replay: over the admin API.
void add_history_commands(CLI::App& app);
/// deploy, activate, undeploy, processes, listeners, pause, resume, restart.
void add_deploy_commands(CLI::App& app);
/// `ferry apis` (list, activate, undeploy): api_commands.cpp.
void add_api_commands(CLI::App& app);
/// replay (one, or many by filter in the background), replays.
void add_replay_commands(CLI::App& app);
/// queues, dlq (list, show, resend, clear).
void add_dlq_commands(CLI::App& app);
/// workers: the remote worker processes of a server.
void add_workers_command(CLI::App& app);
/// nodes: the nodes and workers of a cluster.
void add_nodes_command(CLI::App& app);
/// check --data DIR: verifies a stopped server's store (check_command.cpp).
void add_check_command(CLI::App& app);

}  // namespace ferry::tools
