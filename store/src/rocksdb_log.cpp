#include "rocksdb_log.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "ferry/store/log.hpp"

namespace ferry::store {
namespace {

class rocksdb_log final : public rocksdb::Logger {
public:
    explicit rocksdb_log(int fd) : Logger(rocksdb::InfoLogLevel::INFO_LEVEL), fd_(fd) {}
    ~rocksdb_log() override {
        if (fd_ >= 0) ::close(fd_);
    }

    void Logv(const char* format, va_list ap) override {
        write_line(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
    }
    void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
        if (level < GetInfoLogLevel()) return;
        write_line(level, format, ap);
    }

private:
    void write_line(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
        std::string message(256, '\0');
        va_list copy;
        va_copy(copy, ap);
        const int n = std::vsnprintf(message.data(), message.size() + 1, format, copy);
        va_end(copy);
        if (n < 0) return;
        if (static_cast<std::size_t>(n) > message.size()) {
            message.resize(static_cast<std::size_t>(n));
            va_copy(copy, ap);
            std::vsnprintf(message.data(), message.size() + 1, format, copy);
            va_end(copy);
        } else {
            message.resize(static_cast<std::size_t>(n));
        }
        while (!message.empty() && message.back() == '\n') message.pop_back();
        if (level >= rocksdb::InfoLogLevel::WARN_LEVEL &&
            level != rocksdb::InfoLogLevel::HEADER_LEVEL) {
            log::write(
                level == rocksdb::InfoLogLevel::WARN_LEVEL ? log::level::warn : log::level::error,
                "rocksdb", message);
        }
        if (fd_ < 0) return;
        // The format of RocksDB's own LOG lines: local time to the microsecond, thread, text.
        const auto now = std::chrono::system_clock::now();
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
        const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
        std::tm t{};
        localtime_r(&seconds, &t);
        char prefix[64];
        const int p =
            std::snprintf(prefix, sizeof prefix, "%04d/%02d/%02d-%02d:%02d:%02d.%06lld %llx ",
                          t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                          static_cast<long long>(micros % 1000000),
                          static_cast<unsigned long long>(pthread_self()));
        std::string line(prefix, static_cast<std::size_t>(p));
        line += message;
        line += '\n';
        // One write per line (O_APPEND keeps lines whole); a failed write loses the line only.
        (void)!::write(fd_, line.data(), line.size());
    }

    int fd_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> open_rocksdb_log(const std::string& directory) {
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    const auto path = directory + "/LOG";
    std::filesystem::rename(path, path + ".old", ec);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        // Without the file (a full or read-only disk) the warnings still reach ferry's log.
        log::warn("store", "cannot open RocksDB's LOG file", {{"path", path}});
    }
    return std::make_shared<rocksdb_log>(fd);
}

}  // namespace ferry::store
