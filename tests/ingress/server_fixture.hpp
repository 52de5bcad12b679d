#pragma once

#include <gtest/gtest.h>

#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/runtime.hpp"
#include "ferry/ingress/server.hpp"
#include "support/temp_dir.hpp"

namespace ferry::ingress {

/// A real server (runtime, intake, executors, HTTP on a free port) inside the test process.
class ServerFixture : public ::testing::Test {
protected:
    void start(server_settings settings = {}, bool ready = true) {
        for (auto& l : settings.listeners) l.port = 0;
        engine::runtime_settings engine_settings;
        engine_settings.data_dir = data_.str();
        engine_settings.processes = engine::load_process_directory(FERRY_EXAMPLES_DIR);
        const auto unique = std::to_string(reinterpret_cast<std::uintptr_t>(this));
        engine_settings.intake_endpoint = "inproc://intake-" + unique;
        engine_settings.reply_endpoint = "inproc://replies-" + unique;
        runtime_ = engine::runtime::open(ctx_, std::move(engine_settings)).value();
        server_ = std::make_unique<server>(*runtime_, ctx_, settings);
        ASSERT_TRUE(server_->start());
        runtime_->start();
        if (ready) server_->set_ready();
    }
    void TearDown() override {
        if (server_) server_->stop();
        if (runtime_) runtime_->stop();
    }
    std::uint16_t port() const { return server_->port(); }

    test::temp_dir data_;
    transport::context ctx_;
    std::unique_ptr<engine::runtime> runtime_;
    std::unique_ptr<server> server_;
};

}  // namespace ferry::ingress
