#include "runtimes/runtime_directory.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ferry/ingress/users.hpp"

namespace ferry::ingress {
namespace json = boost::json;

boost::system::result<runtime_directory> runtime_directory::load(const std::string& path) {
    runtime_directory out;
    std::ifstream in(path, std::ios::binary);
    if (!in) return out;  // none registered yet
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const auto parsed = json::parse(text.str(), ec);
    if (ec || !parsed.is_object() || !parsed.as_object().contains("runtimes")) {
        return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    }
    for (const auto& entry : parsed.at("runtimes").as_array()) {
        const auto& o = entry.as_object();
        const auto field = [&](const char* name) {
            const auto* v = o.if_contains(name);
            return v && v->is_string() ? std::string(v->get_string()) : std::string();
        };
        out.runtimes_.push_back(
            {field("name"), field("url"), field("user"), field("token"), field("ca_file")});
    }
    return out;
}

boost::system::result<void> runtime_directory::save(const std::string& path) const {
    json::array list;
    for (const auto& r : runtimes_) {
        list.push_back(json::object{{"name", r.name},
                                    {"url", r.url},
                                    {"user", r.user},
                                    {"token", r.token},
                                    {"ca_file", r.ca_file}});
    }
    const auto text = json::serialize(json::object{{"runtimes", std::move(list)}}) + "\n";
    const auto temporary = path + ".tmp";
    {
        // Created owner-only before the token is written into it.
        std::ofstream create(temporary, std::ios::binary | std::ios::trunc);
        if (!create) return boost::system::errc::make_error_code(boost::system::errc::io_error);
    }
    std::error_code ec;
    std::filesystem::permissions(
        temporary, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out || !(out << text) || !out.flush()) {
            return boost::system::errc::make_error_code(boost::system::errc::io_error);
        }
    }
    std::filesystem::rename(temporary, path, ec);
    if (ec) return boost::system::errc::make_error_code(boost::system::errc::io_error);
    return {};
}

const remote_runtime* runtime_directory::find(std::string_view name) const {
    for (const auto& r : runtimes_) {
        if (r.name == name) return &r;
    }
    return nullptr;
}

std::string runtime_directory::add(remote_runtime r) {
    if (!valid_user_name(r.name)) {
        return "a runtime's name is 1 to 64 letters, digits, '.', '_', '-' or '@'";
    }
    if (!r.url.starts_with("http://") && !r.url.starts_with("https://")) {
        return "url must be the runtime's admin address, http:// or https://";
    }
    while (r.url.ends_with('/')) r.url.pop_back();
    if (r.user.empty() != r.token.empty()) return "give both user and token, or neither";
    if (find(r.name)) return "a runtime named '" + r.name + "' is registered already";
    runtimes_.push_back(std::move(r));
    return {};
}

bool runtime_directory::remove(std::string_view name) {
    const auto before = runtimes_.size();
    std::erase_if(runtimes_, [&](const remote_runtime& r) { return r.name == name; });
    return runtimes_.size() != before;
}

}  // namespace ferry::ingress
