// `ferry user add|list|token|remove`: the users of the web server, in <data>/users.json.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>

#include "commands.hpp"
#include "ferry/ingress/users.hpp"

namespace ferry::tools {
namespace {

struct user_options {
    std::string data = "data";
    std::string users_file;  // overrides <data>/users.json
    std::string name;
    std::vector<std::string> ips;
    bool ip_filter = false;
    std::vector<std::string> operations;
    std::vector<std::string> apis;
    bool admin = false;
    std::string certificate_subject;
    bool json = false;
};

std::string users_path(const user_options& o) {
    return o.users_file.empty() ? (std::filesystem::path(o.data) / "users.json").string()
                                : o.users_file;
}

/// Holds an exclusive lock on the users file for a read-modify-write (RAII), so that two
/// commands at once cannot lose each other's change.
class file_lock {
public:
    explicit file_lock(const std::string& path) : fd_(open_lock_file(path)) {
        if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
            throw std::runtime_error("cannot lock " + path + ".lock");
        }
    }
    ~file_lock() {
        if (fd_ >= 0) ::close(fd_);
    }
    file_lock(const file_lock&) = delete;
    file_lock& operator=(const file_lock&) = delete;

private:
    static int open_lock_file(const std::string& path) {
        std::error_code ec;
        const auto parent = std::filesystem::path(path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        return ::open((path + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    }
    int fd_;
};

ingress::user_directory load_users(const std::string& path) {
    auto users = ingress::user_directory::load(path);
    if (!users) {
        throw std::runtime_error(path + " cannot be read (" + users.error().message() +
                                 "); fix or remove it");
    }
    return std::move(*users);
}

void save_users(const ingress::user_directory& users, const std::string& path) {
    if (auto saved = users.save(path); !saved) {
        throw std::runtime_error("cannot write " + path + ": " + saved.error().message());
    }
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Applies `change` to the users under the file's lock, and writes them when it returns 0.
int edit_users(const user_options& o, const std::function<int(ingress::user_directory&)>& change) {
    const auto path = users_path(o);
    file_lock lock(path);
    auto users = load_users(path);
    const int status = change(users);
    if (status == 0) save_users(users, path);
    return status;
}

int add_user(const user_options& o) {
    ingress::user u;
    u.name = o.name;
    if (!ingress::valid_user_name(u.name)) {
        std::fprintf(stderr,
                     "ferry: '%s' is not a valid user name (1 to 64 letters, digits, "
                     "'.', '_', '-', '@')\n",
                     u.name.c_str());
        return 2;
    }
    if (!o.ips.empty() || o.ip_filter) {
        u.ip_allow.emplace();
        for (const auto& text : o.ips) {
            const auto range = ingress::ip_range::parse(text);
            if (!range) {
                std::fprintf(stderr, "ferry: '%s' is not an IP address or CIDR range\n",
                             text.c_str());
                return 2;
            }
            u.ip_allow->push_back(*range);
        }
    }
    u.operations = o.operations;
    u.apis = o.apis;
    u.admin = o.admin;
    u.certificate_subject = o.certificate_subject;
    std::optional<std::string> token;
    const int status = edit_users(o, [&](ingress::user_directory& users) {
        if (!users.add(u)) {
            std::fprintf(stderr, "ferry: the user '%s' already exists\n", u.name.c_str());
            return 1;
        }
        token = users.issue_token(u.name, now_ms());
        return 0;
    });
    if (status != 0) return status;
    std::printf("%s\n", token->c_str());
    std::fprintf(stderr,
                 "ferry: user '%s' added; the line above is its token, shown only now "
                 "(use it as the Basic password)\n",
                 u.name.c_str());
    return 0;
}

int new_token(const user_options& o) {
    std::optional<std::string> token;
    const int status = edit_users(o, [&](ingress::user_directory& users) {
        token = users.issue_token(o.name, now_ms());
        if (token) return 0;
        std::fprintf(stderr, "ferry: no user '%s'\n", o.name.c_str());
        return 1;
    });
    if (status != 0) return status;
    std::printf("%s\n", token->c_str());
    std::fprintf(stderr,
                 "ferry: a new token for '%s', shown only now; earlier tokens stay "
                 "valid\n",
                 o.name.c_str());
    return 0;
}

int remove_user(const user_options& o) {
    const int status = edit_users(o, [&](ingress::user_directory& users) {
        if (users.remove(o.name)) return 0;
        std::fprintf(stderr, "ferry: no user '%s'\n", o.name.c_str());
        return 1;
    });
    if (status == 0) std::fprintf(stderr, "ferry: user '%s' removed\n", o.name.c_str());
    return status;
}

std::string joined(const std::vector<std::string>& items, const char* none) {
    if (items.empty()) return none;
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

int list_users(const user_options& o) {
    const auto users = load_users(users_path(o));
    if (o.json) {
        boost::json::array out;
        for (const auto& u : users.users()) {
            boost::json::object entry;
            entry["name"] = u.name;
            entry["tokens"] = u.tokens.size();
            if (u.ip_allow) {
                boost::json::array ips;
                for (const auto& r : *u.ip_allow) ips.emplace_back(r.to_string());
                entry["ip_allow"] = std::move(ips);
            } else {
                entry["ip_allow"] = nullptr;
            }
            boost::json::array ops;
            for (const auto& op : u.operations) ops.emplace_back(op);
            entry["operations"] = std::move(ops);
            boost::json::array apis;
            for (const auto& api : u.apis) apis.emplace_back(api);
            entry["apis"] = std::move(apis);
            entry["admin"] = u.admin;
            entry["certificate_subject"] = u.certificate_subject;
            out.push_back(std::move(entry));
        }
        std::printf("%s\n", boost::json::serialize(out).c_str());
        return 0;
    }
    std::printf("%-24s %6s %5s  %-32s %-24s %s\n", "USER", "TOKENS", "ADMIN", "IP ALLOW", "APIS",
                "OPERATIONS");
    for (const auto& u : users.users()) {
        std::vector<std::string> ips;
        if (u.ip_allow) {
            for (const auto& r : *u.ip_allow) ips.push_back(r.to_string());
        }
        std::printf("%-24s %6zu %5s  %-32s %-24s %s\n", u.name.c_str(), u.tokens.size(),
                    u.admin ? "yes" : "no",
                    u.ip_allow ? joined(ips, "(none: blocked)").c_str() : "any",
                    joined(u.apis, "all").c_str(), joined(u.operations, "all").c_str());
    }
    return 0;
}

void add_location_options(CLI::App* cmd, user_options& o) {
    cmd->add_option("--data", o.data, "Data directory of the server (users are in DIR/users.json)")
        ->capture_default_str();
    cmd->add_option("--users-file", o.users_file, "The users file, instead of DATA/users.json");
}

void run(int (*command)(const user_options&), const user_options& o) {
    const int status = command(o);
    if (status != 0) throw CLI::RuntimeError(status);
}

}  // namespace

void add_user_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("user", "Manage the users who may call the web server");
    cmd->require_subcommand(1);
    auto o = std::make_shared<user_options>();

    auto* add = cmd->add_subcommand("add", "Add a user and print its first token (shown once)");
    add->add_option("name", o->name, "User name")->required();
    add->add_option("--ip", o->ips,
                    "Allow calls only from this address or CIDR range (repeatable)");
    add->add_flag("--ip-filter", o->ip_filter,
                  "Switch the IP allow-list on even without --ip (blocks every address)");
    add->add_flag("--admin", o->admin, "May use the admin endpoints (/_admin/*, /metrics)");
    add->add_option("--certificate-subject", o->certificate_subject,
                    "Under --auth client_cert, the client-certificate subject that identifies "
                    "this user, e.g. \"CN=alice,O=Example\" (default: a certificate whose CN "
                    "is the user name)");
    add->add_option("--operation", o->operations,
                    "Allow only this operation, e.g. createOrder (repeatable; default: all)");
    add->add_option("--api", o->apis,
                    "Allow calls only through this API, e.g. orders (repeatable; default: no "
                    "such limit): its REST routes and SOAP endpoints, not /ws/simple");
    add_location_options(add, *o);
    add->callback([o] { run(add_user, *o); });

    auto* list = cmd->add_subcommand("list", "List users (never their tokens)");
    list->add_flag("--json", o->json, "JSON for scripts");
    add_location_options(list, *o);
    list->callback([o] { run(list_users, *o); });

    auto* token = cmd->add_subcommand("token", "Issue another token for a user (shown once)");
    token->add_option("name", o->name, "User name")->required();
    add_location_options(token, *o);
    token->callback([o] { run(new_token, *o); });

    auto* remove = cmd->add_subcommand("remove", "Remove a user and all its tokens");
    remove->add_option("name", o->name, "User name")->required();
    add_location_options(remove, *o);
    remove->callback([o] { run(remove_user, *o); });
}

}  // namespace ferry::tools
