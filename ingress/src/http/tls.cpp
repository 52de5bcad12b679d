#include "http/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>

#include "http/connection_stream.hpp"

namespace ferry::ingress {
namespace ssl = boost::asio::ssl;

std::variant<std::shared_ptr<ssl::context>, std::string> make_server_tls(
    const tls_settings& settings) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    // OpenSSL's own record buffers go back while a connection is idle or still handshaking:
    // a flood of connections that never finish their handshake holds less.
    SSL_CTX_set_mode(ctx->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    boost::system::error_code ec;
    if (ctx->use_certificate_chain_file(settings.certificate_file, ec); ec) {
        return "the certificate file " + settings.certificate_file +
               " cannot be used: " + ec.message();
    }
    if (ctx->use_private_key_file(settings.private_key_file, ssl::context::pem, ec); ec) {
        return "the private key file " + settings.private_key_file +
               " cannot be used: " + ec.message();
    }
    if (!settings.client_ca_file.empty()) {
        if (ctx->load_verify_file(settings.client_ca_file, ec); ec) {
            return "the client CA file " + settings.client_ca_file +
                   " cannot be used: " + ec.message();
        }
        // Tell clients which CAs are accepted, so that they pick the right certificate.
        if (auto* names = SSL_load_client_CA_file(settings.client_ca_file.c_str())) {
            SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
        }
        ctx->set_verify_mode(ssl::verify_peer);
        // Keep the handshake going whatever the certificate: OpenSSL still records whether it
        // verified (SSL_get_verify_result), and the request is answered 401 in HTTP.
        ctx->set_verify_callback([](bool, ssl::verify_context&) { return true; });
        static constexpr unsigned char session_context[] = "ferry";
        SSL_CTX_set_session_id_context(ctx->native_handle(), session_context,
                                       sizeof session_context - 1);
    }
    return ctx;
}

namespace {

std::string subject_text(X509_NAME* name) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio) return {};
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string text(data, size > 0 ? static_cast<std::size_t>(size) : 0);
    BIO_free(bio);
    return text;
}

std::string common_name(X509_NAME* name) {
    const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0) return {};
    unsigned char* utf8 = nullptr;
    const int size =
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
    if (size < 0) return {};
    std::string text(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(size));
    OPENSSL_free(utf8);
    return text;
}

}  // namespace

peer_certificate read_peer_certificate(connection_stream::tls_type& tls) {
    peer_certificate peer;
    SSL* ssl = tls.native_handle();
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (!cert) return peer;
    peer.presented = true;
    peer.trusted = SSL_get_verify_result(ssl) == X509_V_OK;
    X509_NAME* name = X509_get_subject_name(cert);
    peer.subject = subject_text(name);
    peer.common_name = common_name(name);
    X509_free(cert);
    return peer;
}

}  // namespace ferry::ingress
