#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "run/steps.hpp"

namespace ferry::engine {
namespace {

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string failure(const std::filesystem::path& path) {
    return "cannot write " + path.string() + ": " + std::strerror(errno);
}

using write_result = boost::system::result<void, std::string>;

// Appends in one write(2) on an O_APPEND descriptor, so concurrent executors never interleave
// within a document.
write_result append(const std::filesystem::path& path, const working_document& d) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return failure(path);
    std::string line = d.doc.data;
    line.push_back('\n');
    const bool ok = write_all(fd, line);
    const auto error = failure(path);
    ::close(fd);
    if (!ok) return error;
    return {};
}

// Writes a temporary file and renames it over the target, so a reader (or a re-run after a
// crash) never sees half a document.
write_result replace(const std::filesystem::path& path, const working_document& d) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    auto temporary = path;
    temporary += ".tmp" + std::to_string(random());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return failure(temporary);
    const bool ok = write_all(fd, d.doc.data);
    const auto error = failure(temporary);
    ::close(fd);
    if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
        const auto rename_error = ok ? failure(path) : error;
        ::unlink(temporary.c_str());
        return rename_error;
    }
    return {};
}

}  // namespace

step_output run_step(const file_write_step& step, std::vector<working_document> in,
                     step_context& ctx) {
    step_output out;
    const std::filesystem::path directory =
        std::filesystem::path(ctx.settings.files_root) / step.directory;
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) {
        const auto error = "cannot create " + directory.string() + ": " + ec.message();
        for (auto& d : in) out.failed.emplace_back(std::move(d), error);
        return out;
    }
    for (auto& d : in) {
        const auto rendered = render(step.file_name, d, ctx);
        if (!rendered) {
            out.failed.emplace_back(std::move(d), "file_write: " + rendered.error());
            continue;
        }
        const auto& name = *rendered;
        // The name comes from document data: it must not climb out of the directory.
        if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
            name.find('\0') != std::string::npos) {
            out.failed.emplace_back(
                std::move(d), "file name '" + name + "' is empty or contains a path separator");
            continue;
        }
        const auto written =
            step.append ? append(directory / name, d) : replace(directory / name, d);
        if (!written) {
            out.failed.emplace_back(std::move(d), written.error());
            continue;
        }
        out.passed.push_back(std::move(d));
    }
    return out;
}

}  // namespace ferry::engine
