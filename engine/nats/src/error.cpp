#include "ferry/nats/error.hpp"

#include <nats/nats.h>

#include <string>

namespace ferry::nats {
namespace {

class client_errors final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ferry.nats"; }
    std::string message(int ev) const override {
        return natsStatus_GetText(static_cast<natsStatus>(ev));
    }
};

class jetstream_errors final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ferry.jetstream"; }
    std::string message(int ev) const override {
        switch (ev) {
            case jetstream_code::stream_not_found:
                return "JetStream stream not found";
            case jetstream_code::consumer_not_found:
                return "JetStream consumer not found";
            case jetstream_code::stream_name_in_use:
                return "JetStream stream name already in use with another configuration";
            case jetstream_code::cluster_not_available:
                return "JetStream cluster not available (no meta leader yet)";
            case jetstream_code::insufficient_resources:
                return "JetStream has insufficient resources";
            case jetstream_code::no_message_found:
                return "JetStream has no such message";
            case jetstream_code::wrong_last_sequence:
                return "JetStream holds a newer message on the subject than expected";
            default:
                return "JetStream error " + std::to_string(ev);
        }
    }
};

}  // namespace

const boost::system::error_category& client_category() noexcept {
    static const client_errors category;
    return category;
}

const boost::system::error_category& jetstream_category() noexcept {
    static const jetstream_errors category;
    return category;
}

boost::system::error_code make_error(int status, int js_code) noexcept {
    if (js_code != 0) return {js_code, jetstream_category()};
    return {status, client_category()};
}

}  // namespace ferry::nats
