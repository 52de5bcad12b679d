#include <cstdio>
#include <filesystem>

#include "commands.hpp"
#include "ferry/store/check.hpp"

namespace ferry::tools {

void add_check_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "check", "Verify the store of a stopped server: every record readable, nothing lost");
    auto data = std::make_shared<std::string>();
    cmd->add_option("--data", *data, "The server's data directory (its --data)")->required();
    cmd->callback([data] {
        const auto directory = (std::filesystem::path(*data) / "db").string();
        const auto report = store::check_store(directory);
        for (const auto& problem : report.problems) std::printf("problem: %s\n", problem.c_str());
        if (report.problems_left_out > 0) {
            std::printf("... and %llu more problems\n",
                        static_cast<unsigned long long>(report.problems_left_out));
        }
        const auto found = report.problems.size() + report.problems_left_out;
        std::printf(
            "%s: %llu execution records, %llu documents, %llu pending entries, %llu kept "
            "answers, %llu meta entries checked; %s\n",
            directory.c_str(), static_cast<unsigned long long>(report.executions),
            static_cast<unsigned long long>(report.documents),
            static_cast<unsigned long long>(report.pending),
            static_cast<unsigned long long>(report.answers),
            static_cast<unsigned long long>(report.meta),
            found == 0 ? "the store is sound"
                       : (std::to_string(found) + (found == 1 ? " problem" : " problems")).c_str());
        if (found > 0) throw CLI::RuntimeError(1);
    });
}

}  // namespace ferry::tools
