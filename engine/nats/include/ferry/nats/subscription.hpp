#pragma once

#include <functional>
#include <memory>
#include <string_view>

namespace ferry::nats {

/// A plain NATS subscription (connection::subscribe()); unsubscribed when it goes, after which
/// its callback is no longer called.
class subscription {
public:
    explicit subscription(std::unique_ptr<std::function<void(std::string_view)>> on_message);
    ~subscription();
    subscription(const subscription&) = delete;
    subscription& operator=(const subscription&) = delete;

    /// The C client's natsSubscription*, set once subscribed.
    void bind(void* nats_subscription) { sub_ = nats_subscription; }
    std::function<void(std::string_view)>& callback() { return *on_message_; }

private:
    std::unique_ptr<std::function<void(std::string_view)>> on_message_;
    void* sub_ = nullptr;
};

}  // namespace ferry::nats
