// The one translation unit that compiles Beast (BOOST_BEAST_SEPARATE_COMPILATION is set for
// every target); Asio is compiled in engine/transport.
#include <boost/beast/src.hpp>
