#pragma once

// A one-server JetStream for the cluster backend's tests (jetstream_backend_test.cpp,
// unreadable_runs_test.cpp): the backend on it, and executions to queue.

#include <memory>
#include <string>
#include <vector>

#include "cluster/jetstream_backend.hpp"
#include "support/nats_cluster.hpp"

namespace ferry::engine::cluster {

inline nats::connection_settings connect_to(const std::vector<std::string>& urls) {
    nats::connection_settings s;
    s.urls = urls;
    s.name = "ferry backend test";
    return s;
}

/// One nats-server (JetStream, no cluster: ready at once) and a backend on it. restart() is a
/// new process: a new connection and backend over the same streams.
class jetstream_harness {
public:
    jetstream_harness() : server_(1) { open(); }
    ~jetstream_harness() { close(); }

    execution_backend& backend() { return *backend_; }
    jetstream_backend& jetstream() { return *backend_; }

    std::vector<std::string> enqueue(int count) {
        std::vector<store::new_execution> batch;
        std::vector<std::string> ids;
        for (int i = 0; i < count; ++i) {
            store::new_execution e;
            e.record.id = "x" + std::to_string(next_++);
            e.record.process = "p";
            e.record.document_ids = {e.record.id + "-0"};
            e.documents = {{"doc of " + e.record.id, {}}};
            ids.push_back(e.record.id);
            batch.push_back(std::move(e));
        }
        const auto queued = backend_->enqueue(batch);
        EXPECT_TRUE(queued) << queued.error().message();
        return ids;
    }

    store::execution_record stored(const std::string& id) {
        auto rec = backend_->outcome(id);
        EXPECT_TRUE(rec && *rec) << id;
        return rec && *rec ? **rec : store::execution_record{};
    }

    void restart() {
        close();
        open();
    }

    /// The harness's own connection, to write into the streams as another process would.
    nats::connection& nats() { return *nats_; }
    /// A second node: its own connection and backend on the same streams.
    struct node {
        std::unique_ptr<nats::connection> nats;
        std::unique_ptr<jetstream_backend> backend;
    };
    node another_node(jetstream_settings settings = {}) {
        node n;
        n.nats = nats::connection::open(connect_to(server_.urls())).value();
        n.backend = jetstream_backend::open(*n.nats, std::move(settings)).value();
        return n;
    }

private:
    void open() {
        nats_ = nats::connection::open(connect_to(server_.urls())).value();
        backend_ = jetstream_backend::open(*nats_, jetstream_settings{}).value();
    }
    void close() {
        if (backend_) backend_->stop();
        backend_.reset();
        nats_.reset();
    }

    test::nats_cluster server_;
    std::unique_ptr<nats::connection> nats_;
    std::unique_ptr<jetstream_backend> backend_;
    int next_ = 0;
};

inline store::new_execution execution(const std::string& id, const std::string& doc) {
    store::new_execution e;
    e.record.id = id;
    e.record.process = "p";
    e.record.document_ids = {id + "-0"};
    e.documents = {{doc, {}}};
    return e;
}

}  // namespace ferry::engine::cluster
