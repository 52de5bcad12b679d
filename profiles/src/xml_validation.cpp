// XML documents against XML profiles: Xerces-C++ validating against the profile's generated
// XSD, held compiled in a locked (read-only, shareable) grammar pool.
#include <map>
#include <mutex>
#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
#include <xercesc/sax/Locator.hpp>
#include <xercesc/sax2/Attributes.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/XMLUniDefs.hpp>
#include <xercesc/validators/common/Grammar.hpp>

#include "ferry/profiles/validation.hpp"
#include "ferry/profiles/xsd.hpp"
#include "secure_reader.hpp"

namespace ferry::profiles {
namespace x = xercesc;

struct validator::grammar {
    std::unique_ptr<x::XMLGrammarPool> pool;
    // A locked pool is not enough to share: Xerces builds the character maps of pattern
    // facets (date masks) lazily on their first match, unsynchronised (RangeToken::doCreateMap
    // aborts when two threads race there). Validations against one grammar take turns.
    std::mutex validating;
};

namespace {

/// A reader that validates against the pool's grammars only: schema hints in the document
/// (xsi:schemaLocation) are never followed, DTDs and external entities never loaded.
std::unique_ptr<x::SAX2XMLReader> validating_reader(x::XMLGrammarPool& pool) {
    std::unique_ptr<x::SAX2XMLReader> reader(
        x::XMLReaderFactory::createXMLReader(x::XMLPlatformUtils::fgMemoryManager, &pool));
    reader->setFeature(x::XMLUni::fgSAX2CoreNameSpaces, true);
    reader->setFeature(x::XMLUni::fgSAX2CoreNameSpacePrefixes, false);
    reader->setFeature(x::XMLUni::fgXercesLoadExternalDTD, false);
    reader->setFeature(x::XMLUni::fgXercesDisableDefaultEntityResolution, true);
    reader->setFeature(x::XMLUni::fgXercesSchema, true);
    reader->setFeature(x::XMLUni::fgSAX2CoreValidation, true);
    reader->setFeature(x::XMLUni::fgXercesDynamic, false);
    reader->setFeature(x::XMLUni::fgXercesUseCachedGrammarInParse, true);
    reader->setFeature(x::XMLUni::fgXercesLoadSchema, false);
    reader->setFeature(x::XMLUni::fgXercesValidationErrorAsFatal, false);
    return reader;
}

/// The profile element a reported path ("/Order/line[2]/qty", root first) names, or nullptr.
const profile_element* element_at(const profile& p, std::string_view path) {
    const profile_element* spec = nullptr;
    bool root = true;
    while (path.starts_with('/')) {
        path.remove_prefix(1);
        const auto next = path.find('/');
        auto name = path.substr(0, next);
        name = name.substr(0, name.find('['));
        spec = root ? &p.root : (spec ? spec->child(name) : nullptr);
        root = false;
        path = next == std::string_view::npos ? std::string_view() : path.substr(next);
    }
    return spec;
}

/// Keeps the path of the open elements ("/Order/line[2]") for error reports, and where the
/// last start tag ended.
class path_tracker : public x::DefaultHandler {
public:
    explicit path_tracker(const profile& p) : profile_(p) {}

    void setDocumentLocator(const x::Locator* const locator) override { locator_ = locator; }

    void startElement(const XMLCh* const, const XMLCh* const local_name, const XMLCh* const,
                      const x::Attributes&) override {
        const auto name = detail::utf8(local_name);
        const auto index = ++open_.back().counts[name];
        open_.push_back({name, index, {}});
        if (locator_) {
            last_start_ = std::pair(static_cast<std::size_t>(locator_->getLineNumber()),
                                    static_cast<std::size_t>(locator_->getColumnNumber()));
        }
    }
    void endElement(const XMLCh* const, const XMLCh* const, const XMLCh* const) override {
        open_.pop_back();
    }

    /// The path of the element a problem at (line, column) of `text` is about. Xerces checks a
    /// start tag (its attributes, whether the element may be there) before it reports the
    /// element, so a problem at the end of a start tag not yet reported is about that element.
    std::string path_at(std::string_view text, std::size_t line, std::size_t column) const {
        auto out = path();
        if (std::pair(line, column) == last_start_) return out;
        const auto offset = offset_of(text, line, column);
        const auto open = text.substr(0, offset).rfind('<');
        if (open == std::string_view::npos || open + 1 >= text.size()) return out;
        const char next = text[open + 1];
        if (next == '/' || next == '?' || next == '!') return out;
        auto name = text.substr(open + 1);
        name = name.substr(0, name.find_first_of(" \t\r\n/>"));
        if (const auto colon = name.find(':'); colon != std::string_view::npos) {
            name.remove_prefix(colon + 1);
        }
        const auto& counts = open_.back().counts;
        const auto seen = counts.find(std::string(name));
        const std::size_t index = seen == counts.end() ? 1 : seen->second + 1;
        const auto* spec = open_.size() == 1 ? nullptr : element_at(profile_, out);
        const auto* child = spec ? spec->child(name) : nullptr;
        return (out == "/" ? "" : out) + "/" + std::string(name) +
               (index > 1 || (child && child->repeats()) ? "[" + std::to_string(index) + "]" : "");
    }

    /// Repeating elements (by the profile) get their index, [1] included; others get one
    /// only when the document repeats them anyway.
    std::string path() const {
        std::string out;
        const profile_element* spec = nullptr;
        for (std::size_t i = 1; i < open_.size(); ++i) {
            const auto& level = open_[i];
            spec = i == 1 ? &profile_.root : (spec ? spec->child(level.name) : nullptr);
            out += "/" + level.name;
            if (i > 1 && ((spec && spec->repeats()) || level.index > 1 ||
                          open_[i - 1].counts.at(level.name) > 1)) {
                out += "[" + std::to_string(level.index) + "]";
            }
        }
        return out.empty() ? "/" : out;
    }

private:
    static std::size_t offset_of(std::string_view text, std::size_t line, std::size_t column) {
        std::size_t at = 0;
        for (std::size_t l = 1; l < line && at < text.size(); ++at) {
            if (text[at] == '\n') ++l;
        }
        return std::min(text.size(), at + (column > 0 ? column - 1 : 0));
    }

    struct level {
        std::string name;
        std::size_t index = 0;
        std::map<std::string, std::size_t> counts;
    };
    const profile& profile_;
    std::vector<level> open_{level{}};
    const x::Locator* locator_ = nullptr;
    std::pair<std::size_t, std::size_t> last_start_{0, 0};
};

/// The rule a Xerces message says was broken; for a value, the type the profile gives the
/// element at `path`.
std::string rule_of(const std::string& message, const profile& p, const std::string& path) {
    const auto has = [&message](std::string_view word) {
        return message.find(word) != std::string::npos;
    };
    if (has("required attribute")) return "required attribute";
    if (has("not expected") || has("not allowed") || has("no declaration") || has("unexpected") ||
        has("not declared")) {
        return "not in the profile";
    }
    if (has("not complete") || has("incomplete") || has("not enough")) return "min occurrence";
    if (has("does not match") || has("invalid") || has("not a valid") || has("not valid")) {
        if (const auto* e = element_at(p, path); e && e->is_leaf()) {
            return "type " + std::string(to_string(e->type)) +
                   (e->type == value_type::date ? " " + e->mask : "");
        }
        return "type";
    }
    return "schema";
}

}  // namespace

validator::validator(profiles::profile p) : profile_(std::move(p)) {}

validator::~validator() = default;

boost::system::result<std::shared_ptr<const validator>, std::string> validator::compile(
    profiles::profile p) {
    std::shared_ptr<validator> v(new validator(std::move(p)));
    if (v->profile_.format == profile_format::json) return std::shared_ptr<const validator>(v);
    auto schemas = write_xsd(v->profile_);
    if (!schemas) return schemas.error();
    detail::ensure_xml_runtime();
    v->grammar_ = std::make_unique<grammar>();
    v->grammar_->pool =
        std::make_unique<x::XMLGrammarPoolImpl>(x::XMLPlatformUtils::fgMemoryManager);
    auto loader = validating_reader(*v->grammar_->pool);
    detail::schema_error_collector errors;
    loader->setErrorHandler(&errors);
    for (const auto& schema : *schemas) {
        x::MemBufInputSource source(reinterpret_cast<const XMLByte*>(schema.text.data()),
                                    schema.text.size(), "profile.xsd", false);
        try {
            if (!loader->loadGrammar(source, x::Grammar::SchemaGrammarType, true) ||
                !errors.first.empty()) {
                return "the XSD of profile '" + v->profile_.name +
                       "' did not load: " + errors.first;
            }
        } catch (const x::XMLException& e) {
            return "the XSD of profile '" + v->profile_.name +
                   "' did not load: " + detail::utf8(e.getMessage());
        } catch (const x::SAXParseException& e) {
            return "the XSD of profile '" + v->profile_.name +
                   "' did not load: " + detail::utf8(e.getMessage());
        }
    }
    loader.reset();
    v->grammar_->pool->lockPool();  // read-only from here: shareable between threads
    return std::shared_ptr<const validator>(v);
}

std::optional<violation> validator::check(std::string_view document) const {
    if (profile_.format == profile_format::json) return check_json(profile_, document);
    return check_xml(document);
}

std::optional<violation> validator::check_xml(std::string_view document) const {
    auto reader = validating_reader(*grammar_->pool);
    path_tracker tracker(profile_);
    std::unique_lock turn(grammar_->validating);
    const auto problem = detail::parse_with(*reader, tracker, document);
    turn.unlock();
    if (!problem) return std::nullopt;
    auto path = tracker.path_at(document, problem->line, problem->column);
    auto rule = rule_of(problem->message, profile_, path);
    return violation{std::move(path), problem->line, problem->column, std::move(rule),
                     problem->message};
}

}  // namespace ferry::profiles
