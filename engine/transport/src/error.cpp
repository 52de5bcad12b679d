#include "ferry/transport/error.hpp"

#include <string>

namespace ferry::transport {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ferry.transport"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::busy:
                return "transport queue is full";
            case errc::shutting_down:
                return "transport is shutting down";
            case errc::bad_message:
                return "malformed transport message";
            case errc::socket_failure:
                return "transport socket failure";
        }
        return "unknown transport error";
    }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
    static const category instance;
    return instance;
}

}  // namespace ferry::transport
