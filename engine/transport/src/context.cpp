#include "ferry/transport/context.hpp"

#include <zmq.hpp>

namespace ferry::transport {

struct context::impl {
    zmq::context_t ctx{1};
};

context::context() : impl_(std::make_unique<impl>()) {}
context::~context() {
    // Wakes any receiver still blocked so that close() cannot hang (BUILD-NOTES).
    impl_->ctx.shutdown();
}
void* context::native() const { return &impl_->ctx; }

}  // namespace ferry::transport
