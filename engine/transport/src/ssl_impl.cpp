// The one translation unit that compiles Asio's OpenSSL layer (separate compilation): TLS for
// the http_call client and HTTPS listeners.
#include <boost/asio/ssl/impl/src.hpp>
