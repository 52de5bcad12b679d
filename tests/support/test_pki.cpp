#include "support/test_pki.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace ferry::test {

test_pki::test_pki(std::string dir) : dir_(std::move(dir)) {
    // EC keys: generated in milliseconds, unlike RSA.
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    run("openssl req -x509 " + key + " -days 2 -subj /CN=ferry-test-ca -keyout '" + dir_ +
        "/ca.key' -out '" + ca_file() + "'");
    std::ofstream(dir_ + "/server.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n";
    run("openssl req " + key + " -subj /CN=localhost -keyout '" + server_key() + "' -out '" + dir_ +
        "/server.csr'");
    run("openssl x509 -req -days 2 -in '" + dir_ + "/server.csr' -CA '" + ca_file() + "' -CAkey '" +
        dir_ + "/ca.key' -CAcreateserial -extfile '" + dir_ + "/server.ext' -out '" +
        server_cert() + "'");
}

void test_pki::issue_client(const std::string& name, const std::string& subject) const {
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '" + subject +
        "' -keyout '" + key(name) + "' -out '" + dir_ + "/" + name + ".csr'");
    run("openssl x509 -req -days 2 -in '" + dir_ + "/" + name + ".csr' -CA '" + ca_file() +
        "' -CAkey '" + dir_ + "/ca.key' -CAcreateserial -out '" + cert(name) + "'");
}

void test_pki::self_signed_client(const std::string& name, const std::string& subject) const {
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj '" +
        subject + "' -keyout '" + key(name) + "' -out '" + cert(name) + "'");
}

void test_pki::run(const std::string& command) const {
    const auto full = command + " >'" + dir_ + "/openssl.log' 2>&1";
    if (std::system(full.c_str()) != 0) {
        throw std::runtime_error("openssl failed: " + command + " (see " + dir_ + "/openssl.log)");
    }
}

}  // namespace ferry::test
