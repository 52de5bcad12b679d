#include "example_profiles.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ferry/profiles/profile_yaml.hpp>
#include <ferry/profiles/xml_runtime.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace ferry::fuzz {
namespace {

[[noreturn]] void cannot_compile(const std::filesystem::path& file) {
    std::fprintf(stderr, "cannot compile example profile %s\n", file.c_str());
    std::abort();
}

}  // namespace

const std::vector<std::shared_ptr<const profiles::validator>>& example_profiles() {
    static const profiles::xml_runtime xml;  // Xerces, for the XML profiles' grammars
    static const auto compiled = [] {
        std::vector<std::shared_ptr<const profiles::validator>> out;
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(FERRY_EXAMPLES_DIR)) {
            if (entry.path().string().ends_with(".profile.yaml")) files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());  // the selector byte means the same every run
        for (const auto& file : files) {
            std::ifstream in(file);
            const std::string text{std::istreambuf_iterator<char>(in), {}};
            auto profile = profiles::read_profile(text);
            if (!profile) cannot_compile(file);
            auto validator = profiles::validator::compile(std::move(*profile));
            if (!validator) cannot_compile(file);
            out.push_back(std::move(*validator));
        }
        return out;
    }();
    return compiled;
}

}  // namespace ferry::fuzz
