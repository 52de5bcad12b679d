#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::ingress {

/// Another ferry runtime this one's console manages (docs/console.md, "Runtimes"): where its
/// admin API is and the admin credentials to call it with.
struct remote_runtime {
    std::string name;     // "production"
    std::string url;      // "https://ferry-prod.example.com:9443", its admin port
    std::string user;     // an admin user there (`ferry user add NAME --admin`)
    std::string token;    // that user's token: kept, since it is sent (the file is 0600)
    std::string ca_file;  // a CA to trust besides the system's, for an https URL ("" for none)
};

/// The runtimes file (JSON, `<data>/runtimes.json`, owner read/write only), written by the
/// admin API (`/_admin/runtimes`) and read on each use. Writes are atomic (temporary file and
/// rename), as for the users file.
class runtime_directory {
public:
    /// A missing file is an empty directory.
    [[nodiscard]] static boost::system::result<runtime_directory> load(const std::string& path);
    [[nodiscard]] boost::system::result<void> save(const std::string& path) const;

    const std::vector<remote_runtime>& runtimes() const { return runtimes_; }
    const remote_runtime* find(std::string_view name) const;
    /// Why `r` cannot be added ("" when it was): a bad name or URL, a name taken.
    std::string add(remote_runtime r);
    bool remove(std::string_view name);

private:
    std::vector<remote_runtime> runtimes_;
};

}  // namespace ferry::ingress
