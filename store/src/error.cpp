#include "ferry/store/error.hpp"

#include <string>

namespace ferry::store {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ferry.store"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::not_found:
                return "not found";
            case errc::corrupt_record:
                return "corrupt record";
            case errc::io_failure:
                return "storage I/O failure";
            case errc::shutting_down:
                return "store is shutting down";
        }
        return "unknown store error";
    }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
    static const category instance;
    return instance;
}

}  // namespace ferry::store
