#include <cstdio>

#include "commands.hpp"
#include "ferry/engine/model/process_loader.hpp"

namespace ferry::tools {

void add_validate_command(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("validate", "Check the process and API definitions of a directory");
    auto directory = std::make_shared<std::string>();
    cmd->add_option("directory", *directory, "Processes directory")->required();
    cmd->callback([directory] {
        try {
            const auto processes = engine::load_process_directory(*directory);
            for (const auto& [name, p] : processes->active()) {
                const auto served = p->listen.queue.empty() ? p->listen.operation_name()
                                                            : "queue " + p->listen.queue;
                std::printf("ok  %-24s %s (version %u)\n", served.c_str(), p->source_file.c_str(),
                            p->version);
            }
            for (const auto& [base_path, api] : processes->apis()) {
                const auto served = "api " + api->name + " at " + base_path;
                std::printf("ok  %-24s %s (version %u)\n", served.c_str(), api->source_file.c_str(),
                            api->version);
            }
        } catch (const engine::definition_error& e) {
            std::fprintf(stderr, "%s\n", e.what());
            throw CLI::RuntimeError(2);
        }
    });
}

}  // namespace ferry::tools
