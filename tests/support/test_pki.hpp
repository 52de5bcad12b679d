#pragma once

#include <string>

namespace ferry::test {

/// Certificates made with the `openssl` command at test time in `dir`: a CA, a server
/// certificate for localhost / 127.0.0.1 / ::1 signed by it, client certificates signed by it
/// on request, and a self-signed client certificate no listener trusts.
class test_pki {
public:
    /// Throws std::runtime_error when openssl fails.
    explicit test_pki(std::string dir);

    std::string ca_file() const { return dir_ + "/ca.pem"; }
    std::string server_cert() const { return dir_ + "/server.pem"; }
    std::string server_key() const { return dir_ + "/server.key"; }

    /// A client certificate signed by the CA for `subject` ("/CN=alice/O=Example"); the files
    /// are `<name>.pem` and `<name>.key`.
    void issue_client(const std::string& name, const std::string& subject) const;
    /// The same, self-signed (not trusted by the CA).
    void self_signed_client(const std::string& name, const std::string& subject) const;
    std::string cert(const std::string& name) const { return dir_ + "/" + name + ".pem"; }
    std::string key(const std::string& name) const { return dir_ + "/" + name + ".key"; }

private:
    void run(const std::string& command) const;
    std::string dir_;
};

}  // namespace ferry::test
