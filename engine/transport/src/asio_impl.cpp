// The one translation unit that compiles Asio (BOOST_ASIO_SEPARATE_COMPILATION is set for
// every target), so that no other file pays for it.
#include <boost/asio/impl/src.hpp>
