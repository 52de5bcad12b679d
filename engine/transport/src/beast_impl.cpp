// The one translation unit that compiles Beast (BOOST_BEAST_SEPARATE_COMPILATION is set for
// every target); Asio itself is compiled in asio_impl.cpp. Both the ingress (server) and the
// engine's http_call step (client) use it, so it lives here, below both.
#include <boost/beast/src.hpp>
