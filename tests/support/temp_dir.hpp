#pragma once

#include <filesystem>
#include <string>

namespace ferry::test {

/// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string str() const { return path_.string(); }
    /// Writes `content` to path()/name and returns the full path.
    std::filesystem::path write(const std::string& name, const std::string& content) const;

private:
    std::filesystem::path path_;
};

/// Reads a whole file ("" when it does not exist).
std::string read_file(const std::filesystem::path& path);

}  // namespace ferry::test
