#include "ferry/ingress/users.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ferry::ingress {
namespace {
namespace json = boost::json;
using boost::asio::ip::address;

// v4-mapped v6 addresses (::ffff:10.0.0.1) are the v4 address, as a dual-stack socket sees it.
address normalized(const address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
    }
    return a;
}

template <std::size_t N>
bool same_prefix(const std::array<unsigned char, N>& a, const std::array<unsigned char, N>& b,
                 unsigned prefix) {
    for (std::size_t i = 0; i < N && prefix > 0; ++i, prefix = prefix >= 8 ? prefix - 8 : 0) {
        const unsigned bits = prefix >= 8 ? 8 : prefix;
        const auto mask = static_cast<unsigned char>(0xff << (8 - bits));
        if ((a[i] & mask) != (b[i] & mask)) return false;
    }
    return true;
}

std::string hex(const unsigned char* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    return out;
}

std::string sha256_hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
    return hex(digest, size);
}

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
        throw std::runtime_error("the system's random source failed");
    }
    return hex(raw.data(), raw.size());
}

std::string string_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::optional<ip_range> ip_range::parse(std::string_view text) {
    const auto slash = text.find('/');
    boost::system::error_code ec;
    auto network = boost::asio::ip::make_address(std::string(text.substr(0, slash)), ec);
    if (ec) return std::nullopt;
    network = normalized(network);
    const unsigned max = network.is_v4() ? 32 : 128;
    unsigned prefix = max;
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        const auto [end, err] =
            std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (err != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
            prefix > max) {
            return std::nullopt;
        }
    }
    return ip_range{network, prefix};
}

bool ip_range::contains(const address& raw) const {
    const auto a = normalized(raw);
    if (a.is_v4() != network.is_v4()) return false;
    if (a.is_v4()) return same_prefix(a.to_v4().to_bytes(), network.to_v4().to_bytes(), prefix);
    return same_prefix(a.to_v6().to_bytes(), network.to_v6().to_bytes(), prefix);
}

std::string ip_range::to_string() const {
    return network.to_string() + "/" + std::to_string(prefix);
}

bool valid_user_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '@';
        if (!ok) return false;
    }
    return true;
}

boost::system::result<user_directory> user_directory::load(const std::string& path) {
    user_directory out;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        // No file yet: no users.
        if (!std::filesystem::exists(path)) return out;
        return boost::system::errc::make_error_code(boost::system::errc::permission_denied);
    }
    std::ostringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const auto doc = json::parse(text.str(), ec);
    if (ec || !doc.is_object())
        return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    const auto* list = doc.as_object().if_contains("users");
    if (!list || !list->is_array()) return out;
    for (const auto& entry : list->as_array()) {
        if (!entry.is_object()) continue;
        const auto& o = entry.as_object();
        user u;
        u.name = string_at(o, "name");
        if (!valid_user_name(u.name))
            return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
        if (const auto* tokens = o.if_contains("tokens"); tokens && tokens->is_array()) {
            for (const auto& t : tokens->as_array()) {
                if (!t.is_object()) continue;
                stored_token st;
                st.id = string_at(t.as_object(), "id");
                st.sha256 = string_at(t.as_object(), "sha256");
                if (const auto* c = t.as_object().if_contains("created_ms"); c && c->is_int64()) {
                    st.created_ms = c->as_int64();
                }
                u.tokens.push_back(std::move(st));
            }
        }
        if (const auto* ips = o.if_contains("ip_allow"); ips && ips->is_array()) {
            u.ip_allow.emplace();
            for (const auto& r : ips->as_array()) {
                const auto range = r.is_string() ? ip_range::parse(r.as_string()) : std::nullopt;
                if (!range)
                    return boost::system::errc::make_error_code(
                        boost::system::errc::invalid_argument);
                u.ip_allow->push_back(*range);
            }
        }
        if (const auto* ops = o.if_contains("operations"); ops && ops->is_array()) {
            for (const auto& op : ops->as_array()) {
                if (op.is_string()) u.operations.emplace_back(op.as_string());
            }
        }
        if (const auto* apis = o.if_contains("apis"); apis && apis->is_array()) {
            for (const auto& api : apis->as_array()) {
                if (api.is_string()) u.apis.emplace_back(api.as_string());
            }
        }
        if (const auto* admin = o.if_contains("admin"); admin && admin->is_bool()) {
            u.admin = admin->as_bool();
        }
        if (const auto* subject = o.if_contains("certificate_subject");
            subject && subject->is_string()) {
            u.certificate_subject = subject->as_string();
        }
        out.users_.push_back(std::move(u));
    }
    return out;
}

boost::system::result<void> user_directory::save(const std::string& path) const {
    json::array list;
    for (const auto& u : users_) {
        json::object o;
        o["name"] = u.name;
        json::array tokens;
        for (const auto& t : u.tokens) {
            tokens.push_back(
                json::object{{"id", t.id}, {"sha256", t.sha256}, {"created_ms", t.created_ms}});
        }
        o["tokens"] = std::move(tokens);
        if (u.ip_allow) {
            json::array ips;
            for (const auto& r : *u.ip_allow) ips.emplace_back(r.to_string());
            o["ip_allow"] = std::move(ips);
        }
        json::array ops;
        for (const auto& op : u.operations) ops.emplace_back(op);
        o["operations"] = std::move(ops);
        if (!u.apis.empty()) {
            json::array apis;
            for (const auto& api : u.apis) apis.emplace_back(api);
            o["apis"] = std::move(apis);
        }
        if (u.admin) o["admin"] = true;
        if (!u.certificate_subject.empty()) o["certificate_subject"] = u.certificate_subject;
        list.push_back(std::move(o));
    }
    const auto text = json::serialize(json::object{{"users", std::move(list)}}) + "\n";
    const auto temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out || !(out << text) || !out.flush()) {
            return boost::system::errc::make_error_code(boost::system::errc::io_error);
        }
    }
    std::error_code ec;
    std::filesystem::permissions(
        temporary, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
    std::filesystem::rename(temporary, path, ec);
    if (ec) return boost::system::errc::make_error_code(boost::system::errc::io_error);
    return {};
}

const user* user_directory::find(std::string_view name) const {
    for (const auto& u : users_) {
        if (u.name == name) return &u;
    }
    return nullptr;
}

user* user_directory::find(std::string_view name) {
    for (auto& u : users_) {
        if (u.name == name) return &u;
    }
    return nullptr;
}

bool user_directory::add(user u) {
    if (!valid_user_name(u.name) || find(u.name)) return false;
    users_.push_back(std::move(u));
    return true;
}

bool user_directory::remove(std::string_view name) {
    return std::erase_if(users_, [&](const user& u) { return u.name == name; }) > 0;
}

std::optional<std::string> user_directory::issue_token(std::string_view name, std::int64_t now_ms) {
    auto* u = find(name);
    if (!u) return std::nullopt;
    auto token = random_hex(32);
    u->tokens.push_back({random_hex(4), sha256_hex(token), now_ms});
    return token;
}

const user* user_directory::authenticate(std::string_view name, std::string_view token) const {
    const auto presented = sha256_hex(token);
    // An unknown user is compared against a dummy hash, so it costs what a known one does.
    static const std::string dummy(64, '0');
    const user* found = find(name);
    bool match = false;
    if (found) {
        for (const auto& t : found->tokens) {
            if (t.sha256.size() == presented.size() &&
                CRYPTO_memcmp(t.sha256.data(), presented.data(), presented.size()) == 0) {
                match = true;
            }
        }
    } else {
        (void)CRYPTO_memcmp(dummy.data(), presented.data(), presented.size());
    }
    return match ? found : nullptr;
}

const user* user_directory::find_by_certificate(std::string_view subject,
                                                std::string_view common_name) const {
    if (!subject.empty()) {
        for (const auto& u : users_) {
            if (u.certificate_subject == subject) return &u;
        }
    }
    if (common_name.empty()) return nullptr;
    for (const auto& u : users_) {
        if (u.certificate_subject.empty() && u.name == common_name) return &u;
    }
    return nullptr;
}

}  // namespace ferry::ingress
