#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/run/runner.hpp"
#include "ferry/store/error.hpp"
#include "support/temp_dir.hpp"

namespace ferry::engine::test_steps {

/// Loads a process made of `steps` (YAML, indented as list items under `steps:`) and runs it
/// over `payloads`, one request document each, with the request property `name` = n<index>.
class StepTest : public ::testing::Test {
protected:
    run_outcome run(const std::string& steps, std::vector<std::string> payloads,
                    const std::string& output = "none", store::properties process_props = {}) {
        const auto file = dir_.write("p.yaml",
                                     "name: p\nlisten: {type: create, object: X, "
                                     "input: multiple_json, output: " +
                                         output + "}\nsteps:\n" + steps);
        process_ = load_process_file(file.string());
        return run_loaded(*process_, std::move(payloads), std::move(process_props));
    }

    /// Runs `p` over `payloads` as execution ex1, with this fixture's settings.
    run_outcome run_loaded(const process& p, std::vector<std::string> payloads,
                           store::properties process_props = {}) {
        store::execution_record rec;
        rec.id = "ex1";
        rec.process_props = std::move(process_props);
        std::vector<working_document> docs;
        for (std::size_t i = 0; i < payloads.size(); ++i) {
            rec.document_ids.push_back("ex1-" + std::to_string(i));
            docs.push_back({{payloads[i], {{"name", "n" + std::to_string(i)}}}, i, {}});
        }
        run_settings settings;
        settings.files_root = (out_.path() / "files").string();
        settings.keep_step_documents = keep_;
        settings.on_respond_early = on_early_;
        settings.host = &host_;
        settings.stub_connectors = stub_connectors_;
        return run_process_blocking(p, rec, std::move(docs), settings);
    }

    static std::vector<std::string> data(const std::vector<working_document>& docs) {
        std::vector<std::string> out;
        for (const auto& d : docs) out.push_back(d.doc.data);
        return out;
    }

    /// The lines a process wrote with file_write append into files/log/<name>.
    std::string log(const std::string& name) const {
        return ferry::test::read_file(out_.path() / "files/log" / name);
    }

    bool keep_ = false;
    std::function<void(const std::vector<working_document>&)> on_early_;
    std::map<std::string, std::uint64_t> sequences_;
    bool sequences_refused_ = false;  // the store refuses to reserve sequential values
    std::function<std::shared_ptr<const process>(std::string_view)> find_process_;
    std::function<std::vector<queue_listener>(std::string_view)> queue_listeners_;
    bool stub_connectors_ = false;

    /// The run_host of the fixture: find_process_ and queue_listeners_ when set, sequential
    /// values counted in sequences_ (or refused, with sequences_refused_).
    struct fixture_host final : run_host {
        explicit fixture_host(StepTest& test) : t(test) {}
        std::shared_ptr<const process> find_process(std::string_view name) const override {
            return t.find_process_ ? t.find_process_(name) : nullptr;
        }
        std::vector<queue_listener> queue_listeners(std::string_view queue) const override {
            return t.queue_listeners_ ? t.queue_listeners_(queue) : std::vector<queue_listener>();
        }
        boost::system::result<std::uint64_t> next_sequence(std::string_view name) override {
            if (t.sequences_refused_) return store::errc::io_failure;
            return ++t.sequences_[std::string(name)];
        }
        StepTest& t;
    };
    fixture_host host_{*this};
    ferry::test::temp_dir dir_;
    ferry::test::temp_dir out_;
    std::shared_ptr<const process> process_;
};

/// A file_write step appending each document as a line to files/log/<name>.
inline std::string log_step(const std::string& id, const std::string& name) {
    return "- id: " + id + "\n  file_write: {directory: log, file_name: " + name +
           ", append: true}\n";
}

/// Indents every line of `yaml` by `spaces`.
inline std::string indent(const std::string& yaml, int spaces) {
    std::string out;
    std::string pad(static_cast<std::size_t>(spaces), ' ');
    std::size_t start = 0;
    while (start < yaml.size()) {
        const auto end = yaml.find('\n', start);
        out += pad + yaml.substr(start, end - start) + "\n";
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

}  // namespace ferry::engine::test_steps
