// ferry profile import | check | xsd: write profiles from samples or an XSD, try documents
// against a profile, and show the XSD a profile generates.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "ferry/profiles/inference.hpp"
#include "ferry/profiles/profile_yaml.hpp"
#include "ferry/profiles/validation.hpp"
#include "ferry/profiles/xsd.hpp"

namespace ferry::tools {
namespace {

[[noreturn]] void fail(int code, const std::string& message) {
    std::fprintf(stderr, "ferry: %s\n", message.c_str());
    throw CLI::RuntimeError(code);
}

std::string read_all(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf())) fail(1, "cannot read " + file);
    return text.str();
}

profiles::profile read_profile_file(const std::string& file) {
    auto p = profiles::read_profile(read_all(file));
    if (!p) fail(1, p.error().describe(file));
    return std::move(*p);
}

struct import_options {
    std::vector<std::string> samples;
    std::string xsd;
    std::string root;
    std::string name;
    std::string output;
};

void import_profile(const import_options& o) {
    if (o.samples.empty() == o.xsd.empty()) {
        fail(2, "give sample documents or --xsd FILE (one of the two)");
    }
    if (!o.name.empty() && !profiles::valid_profile_name(o.name)) {
        fail(2, "a profile name is 1 to 64 letters, digits, '.', '_' or '-'");
    }
    profiles::profile p;
    if (!o.xsd.empty()) {
        auto imported = profiles::import_xsd(o.xsd, o.root, o.name);
        if (!imported) fail(1, imported.error());
        p = std::move(*imported);
    } else {
        std::vector<std::string> texts;
        for (const auto& s : o.samples) texts.push_back(read_all(s));
        auto name =
            o.name.empty() ? std::filesystem::path(o.samples.front()).stem().string() : o.name;
        auto inferred = profiles::infer_profile(texts, name);
        if (!inferred) fail(1, inferred.error());
        p = std::move(*inferred);
        // XML: the root element names the profile unless told otherwise.
        if (o.name.empty() && p.format == profiles::profile_format::xml) p.name = p.root.name;
    }
    if (!profiles::valid_profile_name(p.name)) p.name = "profile";
    const auto text = profiles::write_profile(p);
    if (o.output.empty() || o.output == "-") {
        std::fputs(text.c_str(), stdout);
        return;
    }
    std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
    if (!(out << text) || !out.flush()) fail(1, "cannot write " + o.output);
    std::fprintf(stderr, "wrote profile %s (%s) to %s\n", p.name.c_str(),
                 std::string(profiles::to_string(p.format)).c_str(), o.output.c_str());
}

int check_documents(const std::string& profile_file, const std::vector<std::string>& documents) {
    auto compiled = profiles::validator::compile(read_profile_file(profile_file));
    if (!compiled) fail(1, compiled.error());
    int worst = 0;
    for (const auto& file : documents) {
        if (const auto v = (*compiled)->check(read_all(file))) {
            std::printf("%s: does not fit %s %s [rule: %s]\n", file.c_str(),
                        (*compiled)->profile().name.c_str(), v->describe().c_str(),
                        v->rule.c_str());
            worst = 1;
        } else {
            std::printf("%s: fits %s\n", file.c_str(), (*compiled)->profile().name.c_str());
        }
    }
    return worst;
}

}  // namespace

void add_profile_commands(CLI::App& app) {
    auto* cmd = app.add_subcommand("profile", "Write, check and show document profiles");
    cmd->require_subcommand(1);

    auto import = std::make_shared<import_options>();
    auto* imp = cmd->add_subcommand(
        "import", "Infer a profile from sample documents (XML or JSON), or read one from an XSD");
    imp->add_option("samples", import->samples, "Sample documents, all XML or all JSON");
    imp->add_option("--xsd", import->xsd, "Read the profile from this XML Schema instead");
    imp->add_option("--root", import->root, "With --xsd: the global element to start from");
    imp->add_option("--name", import->name,
                    "Profile name (default: the XML root element, or the sample's file name)");
    imp->add_option("-o,--output", import->output,
                    "Write here (e.g. processes/Order.profile.yaml); default: standard output");
    imp->callback([import] { import_profile(*import); });

    auto profile_file = std::make_shared<std::string>();
    auto documents = std::make_shared<std::vector<std::string>>();
    auto* check = cmd->add_subcommand("check", "Check documents against a profile");
    check->add_option("profile", *profile_file, "The .profile.yaml file")->required();
    check->add_option("documents", *documents, "Documents to check")->required();
    check->callback([profile_file, documents] {
        if (const int code = check_documents(*profile_file, *documents))
            throw CLI::RuntimeError(code);
    });

    auto xsd_file = std::make_shared<std::string>();
    auto* xsd = cmd->add_subcommand("xsd", "Print the XML Schema an XML profile generates");
    xsd->add_option("profile", *xsd_file, "The .profile.yaml file")->required();
    xsd->callback([xsd_file] {
        const auto schemas = profiles::write_xsd(read_profile_file(*xsd_file));
        if (!schemas) fail(1, schemas.error());
        for (const auto& s : *schemas) std::printf("%s\n", s.text.c_str());
    });
}

}  // namespace ferry::tools
