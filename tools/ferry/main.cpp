#include <cstdio>
#include <exception>

#include "commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"ferry: integration processes served as web services"};
    app.require_subcommand(1);
    ferry::tools::add_serve_command(app);
    ferry::tools::add_validate_command(app);
    ferry::tools::add_profile_commands(app);
    ferry::tools::add_test_command(app);
    ferry::tools::add_worker_command(app);
    ferry::tools::add_user_command(app);
    ferry::tools::add_history_commands(app);
    ferry::tools::add_deploy_commands(app);
    ferry::tools::add_api_commands(app);
    ferry::tools::add_replay_commands(app);
    ferry::tools::add_dlq_commands(app);
    ferry::tools::add_workers_command(app);
    ferry::tools::add_nodes_command(app);
    ferry::tools::add_check_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ferry: %s\n", e.what());
        return 1;
    }
    return 0;
}
