// `ferry test PROCESS.yaml --input FILE`: one execution in this process, without a server or a
// store, printing what each step did and the reply the caller would get (SPEC §3).
#include <strings.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "commands.hpp"
#include "ferry/engine/execute/reply.hpp"
#include "ferry/engine/intake/request_documents.hpp"
#include "ferry/engine/intake/request_properties.hpp"
#include "ferry/engine/model/process_loader.hpp"
#include "ferry/engine/run/run_host.hpp"
#include "ferry/engine/run/runner.hpp"

namespace ferry::tools {
namespace {

struct test_options {
    std::string process_file;
    std::string input_file;
    std::vector<std::string> headers;  // "Name: value"
    std::vector<std::string> query;    // "k=v"
    std::vector<std::string> params;   // "name=value"
    std::string user;
    std::string files_dir;
    std::size_t show_bytes = 2000;
};

std::pair<std::string, std::string> split_pair(const std::string& text, char separator,
                                               const std::string& what) {
    const auto at = text.find(separator);
    if (at == std::string::npos || at == 0) {
        throw CLI::ValidationError(what, "'" + text + "' is not NAME" + separator + "VALUE");
    }
    auto value = text.substr(at + 1);
    if (separator == ':') value.erase(0, value.find_first_not_of(' '));
    return {text.substr(0, at), value};
}

// The processes beside the tested one, loaded on first use (a run that calls none does not
// read them); sequential values count from 1 and are not stored.
class sibling_host final : public engine::run_host {
public:
    explicit sibling_host(std::string directory) : directory_(std::move(directory)) {}
    std::shared_ptr<const engine::process> find_process(std::string_view name) const override {
        return siblings().find_process(name);
    }
    std::vector<engine::queue_listener> queue_listeners(std::string_view queue) const override {
        return siblings().queue_listeners(queue);
    }
    boost::system::result<std::uint64_t> next_sequence(std::string_view name) override {
        return counted_.next_sequence(name);
    }

private:
    engine::registry_host& siblings() const {
        if (!loaded_) loaded_.emplace(engine::load_process_directory(directory_));
        return *loaded_;
    }
    std::string directory_;
    mutable std::optional<engine::registry_host> loaded_;
    engine::registry_host counted_{nullptr};
};

std::string shown(const std::string& data, std::size_t limit) {
    if (data.size() <= limit) return data;
    return data.substr(0, limit) + "... (" + std::to_string(data.size()) + " bytes)";
}

void print_document(const store::document& doc, std::size_t limit, const char* indent) {
    for (const auto& [k, v] : doc.props) std::printf("%s%s = %s\n", indent, k.c_str(), v.c_str());
    // Every line of the data behind a bar, so that multi-line documents stay readable.
    const auto data = shown(doc.data, limit);
    std::size_t start = 0;
    do {
        const auto end = data.find('\n', start);
        std::printf("%s| %.*s\n", indent,
                    static_cast<int>((end == std::string::npos ? data.size() : end) - start),
                    data.data() + start);
        start = end == std::string::npos ? data.size() + 1 : end + 1;
    } while (start <= data.size());
}

int run_test(const test_options& o) {
    std::shared_ptr<const engine::process> p;
    try {
        p = engine::load_process_file(o.process_file);
    } catch (const engine::definition_error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    std::string body;
    if (!o.input_file.empty()) {
        std::ifstream in(o.input_file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "ferry test: cannot read %s\n", o.input_file.c_str());
            return 2;
        }
        std::ostringstream content;
        content << in.rdbuf();
        body = content.str();
    }
    std::vector<std::pair<std::string, std::string>> header_list;
    for (const auto& h : o.headers) header_list.push_back(split_pair(h, ':', "--header"));
    engine::request_facts facts;
    facts.method = "POST";
    facts.path = "/ws/simple/" + p->listen.operation_name();
    for (const auto& q : o.query) facts.query.push_back(split_pair(q, '=', "--query"));
    for (const auto& q : o.params) facts.params.push_back(split_pair(q, '=', "--param"));
    facts.user = o.user;
    for (const auto& [name, value] : header_list) {
        if (facts.user.empty() && strcasecmp(name.c_str(), "Authorization") == 0)
            facts.user = engine::basic_auth_user(value);
    }

    std::printf("process %s (version %u, %s) from %s\n", p->name.c_str(), p->version,
                std::string(engine::to_string(p->mode)).c_str(), p->source_file.c_str());
    std::string content_type;
    for (const auto& [name, value] : header_list) {
        if (strcasecmp(name.c_str(), "Content-Type") == 0) content_type = value;
    }
    auto documents = engine::split_request(p->listen.input, std::move(body), content_type);
    std::optional<engine::input_error> refused;
    if (!documents) {
        refused = documents.error();
    } else {
        refused = engine::check_request_profile(p->listen, *documents);
    }
    if (refused) {
        const auto& e = *refused;
        std::printf(
            "\nthe request is refused before anything runs:\nHTTP/1.1 "
            "%u\n\n{\"error\":\"%s\",\"detail\":\"%s\"}\n",
            e.status, e.error.c_str(), e.detail.c_str());
        return 1;
    }
    const auto header_props = engine::header_properties(header_list);

    store::execution_record rec;
    rec.id = "test";
    rec.process = p->name;
    rec.process_version = p->version;
    rec.process_props = engine::process_properties(facts);
    const bool from_queue = !p->listen.queue.empty();
    if (from_queue) {
        // A queue listener gets a message's delivery, not a request.
        rec.process_props = {
            {"queue", p->listen.queue}, {"queue_delivery", "1"}, {"sent_by", "test"}};
    }
    std::vector<engine::working_document> working;
    for (std::size_t i = 0; i < documents->size(); ++i) {
        rec.document_ids.push_back("test-" + std::to_string(i));
        auto& doc = (*documents)[i];
        doc.props.insert(header_props.begin(), header_props.end());  // a part's headers win
        working.push_back({std::move(doc), i, {}});
    }
    std::printf("%zu request document(s)\n", working.size());

    engine::run_settings settings;
    settings.keep_step_documents = true;
    const auto files = o.files_dir.empty()
                           ? std::filesystem::temp_directory_path() / "ferry-test-files"
                           : std::filesystem::path(o.files_dir);
    settings.files_root = files.string();
    // Called processes are looked up beside this one, loaded on first use.
    const auto directory = std::filesystem::path(o.process_file).parent_path();
    // Sequential values count from 1 in a test run and are not stored.
    sibling_host host(directory.empty() ? "." : directory.string());
    settings.host = &host;
    engine::run_outcome outcome;
    try {
        outcome = engine::run_process_blocking(*p, rec, std::move(working), settings);
    } catch (const engine::definition_error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    std::printf("\n");
    for (const auto& t : outcome.trace) {
        std::printf("step %s (%s): %u in, %u out, %u failed, %u us\n", t.step.c_str(),
                    t.kind.c_str(), t.documents_in, t.documents_out, t.documents_failed, t.micros);
        if (!t.error.empty()) std::printf("  error: %s\n", t.error.c_str());
        for (std::size_t i = 0; i < t.outputs.size(); ++i) {
            std::printf("  document %zu\n", i + 1);
            print_document(t.outputs[i], o.show_bytes, "    ");
        }
    }
    if (outcome.untraced_steps > 0) {
        std::printf("(%llu more step runs not shown)\n",
                    static_cast<unsigned long long>(outcome.untraced_steps));
    }
    for (const auto& f : outcome.failures) {
        std::printf("failed at %s: %s\n", f.step.c_str(), f.error.c_str());
    }
    for (const auto& s : outcome.started) {
        const auto queue = s.process_props.find("queue");
        if (queue == s.process_props.end()) {
            std::printf("would start an execution of %s with %zu document(s)\n", s.process.c_str(),
                        s.documents.size());
        } else if (s.process.empty()) {
            std::printf(
                "would send a message of %zu document(s) to queue %s, where it waits: "
                "no process beside this one listens on it\n",
                s.documents.size(), queue->second.c_str());
        } else {
            std::printf("would send a message of %zu document(s) to queue %s, delivered to %s\n",
                        s.documents.size(), queue->second.c_str(), s.process.c_str());
        }
    }
    if (!outcome.process_props.empty()) {
        std::printf("\nprocess properties\n");
        for (const auto& [k, v] : outcome.process_props)
            std::printf("  %s = %s\n", k.c_str(), v.c_str());
    }

    // Long list replies are paged as the server would; the tokens here are only examples.
    std::size_t page = 0;
    auto pages = engine::assemble_pages(*p, rec.id, outcome,
                                        [&] { return "example-token-" + std::to_string(++page); });
    if (p->listen.output == engine::data_type::none && outcome.ok) {
        pages.first = engine::receipt_reply({rec.id, rec.document_ids.size(), "none (test run)"});
    }
    const auto& answer = pages.first;
    if (from_queue) {
        if (outcome.ok) return 0;
        std::printf(
            "\nexecution failed at step '%s': %s (the message would be delivered again, "
            "then become a dead letter)\n",
            outcome.failed_step.c_str(), outcome.error.c_str());
        return 1;
    }
    std::printf("\nreply\nHTTP/1.1 %u\n", answer.status);
    for (const auto& [k, v] : answer.headers) std::printf("%s: %s\n", k.c_str(), v.c_str());
    std::printf("\n%s\n", shown(answer.body, o.show_bytes * 4).c_str());
    if (!pages.later.empty()) {
        std::printf("\n(%zu more page(s), each fetched with GET on the Link of the page before)\n",
                    pages.later.size());
    }
    if (!outcome.ok) {
        std::printf("\nexecution failed at step '%s': %s\n", outcome.failed_step.c_str(),
                    outcome.error.c_str());
        return 1;
    }
    return 0;
}

}  // namespace

void add_test_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "test",
        "Run a process once on a sample input, without a server or a store, and show "
        "each step's documents and the reply");
    auto o = std::make_shared<test_options>();
    cmd->add_option("process", o->process_file, "Process definition (YAML)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--input,-i", o->input_file, "Request body (omit for input type none)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--header,-H", o->headers, "Request header 'Name: value' (repeatable)");
    cmd->add_option("--query,-q", o->query, "Query parameter k=v (repeatable)");
    cmd->add_option("--param,-p", o->params, "Matrix parameter name=value (repeatable)");
    cmd->add_option("--user", o->user, "The caller's user name (inuser)");
    cmd->add_option("--files", o->files_dir,
                    "Where file_write steps write (default: $TMPDIR/ferry-test-files)");
    cmd->add_option("--show-bytes", o->show_bytes, "Show at most this much of each document")
        ->default_val(2000);
    cmd->callback([o] {
        const int status = run_test(*o);
        if (status != 0) throw CLI::RuntimeError(status);
    });
}

}  // namespace ferry::tools
