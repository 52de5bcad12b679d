// XSD -> profile through Xerces' grammar loader and its schema component model (XSModel).
#include <filesystem>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
#include <xercesc/framework/psvi/XSAttributeDeclaration.hpp>
#include <xercesc/framework/psvi/XSAttributeUse.hpp>
#include <xercesc/framework/psvi/XSComplexTypeDefinition.hpp>
#include <xercesc/framework/psvi/XSElementDeclaration.hpp>
#include <xercesc/framework/psvi/XSModel.hpp>
#include <xercesc/framework/psvi/XSModelGroup.hpp>
#include <xercesc/framework/psvi/XSNamedMap.hpp>
#include <xercesc/framework/psvi/XSParticle.hpp>
#include <xercesc/framework/psvi/XSSimpleTypeDefinition.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/XMLString.hpp>
#include <xercesc/validators/common/Grammar.hpp>

#include "ferry/profiles/xsd.hpp"
#include "secure_reader.hpp"

namespace ferry::profiles {
namespace {
namespace x = xercesc;

constexpr std::size_t max_depth = 32;  // recursive types are cut here
constexpr std::string_view xsd_namespace = "http://www.w3.org/2001/XMLSchema";

/// Lets an XSD include and import the files beside it, never anything from the network.
class local_files_only : public detail::schema_error_collector {
public:
    x::InputSource* resolveEntity(const XMLCh* const, const XMLCh* const system_id) override {
        const auto id = detail::utf8(system_id);
        if (id.find("://") != std::string::npos && !id.starts_with("file://")) {
            throw x::SAXParseException(
                reinterpret_cast<const XMLCh*>(u"schemas are read from local files only"), nullptr,
                system_id, 0, 0);
        }
        return nullptr;  // Xerces opens the local file itself
    }
};

/// The profile type of a simple type: the first XML Schema built-in it derives from.
void simple_type(x::XSSimpleTypeDefinition* t, value_type& type, std::string& mask) {
    type = value_type::string;
    for (x::XSTypeDefinition* at = t; at; at = at->getBaseType()) {
        if (detail::utf8(at->getNamespace()) != xsd_namespace) continue;
        const auto name = detail::utf8(at->getName());
        if (name == "boolean") {
            type = value_type::boolean;
        } else if (name == "integer" || name == "long" || name == "int" || name == "short" ||
                   name == "byte" || name.ends_with("Integer") || name.starts_with("unsigned")) {
            type = value_type::integer;
        } else if (name == "decimal" || name == "double" || name == "float") {
            type = value_type::number;
        } else if (name == "date") {
            type = value_type::date;
            mask = "yyyy-MM-dd";
        } else if (name != "anySimpleType" && name != "anyType") {
            // string and its kin; dateTime and time keep their text (their time zones and
            // fractions are wider than a mask)
        } else {
            continue;
        }
        return;
    }
}

boost::system::result<profile, std::string> failure(std::string why) {
    return {boost::system::in_place_error, std::move(why)};
}

class importer {
public:
    profile_element element(x::XSElementDeclaration* d, std::size_t depth) {
        profile_element e;
        e.name = detail::utf8(d->getName());
        e.namespace_uri = detail::utf8(d->getNamespace());
        auto* t = d->getTypeDefinition();
        if (!t) return e;
        if (t->getTypeCategory() == x::XSTypeDefinition::SIMPLE_TYPE) {
            simple_type(static_cast<x::XSSimpleTypeDefinition*>(t), e.type, e.mask);
            return e;
        }
        auto* ct = static_cast<x::XSComplexTypeDefinition*>(t);
        if (auto* uses = ct->getAttributeUses()) {
            for (XMLSize_t i = 0; i < uses->size(); ++i) {
                auto* use = uses->elementAt(i);
                auto* decl = use->getAttrDeclaration();
                profile_attribute a;
                a.name = detail::utf8(decl->getName());
                a.required = use->getRequired();
                simple_type(decl->getTypeDefinition(), a.type, a.mask);
                e.attributes.push_back(std::move(a));
            }
        }
        switch (ct->getContentType()) {
            case x::XSComplexTypeDefinition::CONTENTTYPE_SIMPLE:
                simple_type(ct->getSimpleType(), e.type, e.mask);
                break;
            case x::XSComplexTypeDefinition::CONTENTTYPE_ELEMENT:
            case x::XSComplexTypeDefinition::CONTENTTYPE_MIXED:
                if (depth >= max_depth) {
                    truncated = true;
                    break;
                }
                if (auto* particle = ct->getParticle()) {
                    add_particle(e, particle, 1, true, depth);
                }
                break;
            case x::XSComplexTypeDefinition::CONTENTTYPE_EMPTY:
                break;
        }
        return e;
    }

    bool truncated = false;  // a recursive type was cut at max_depth
    bool wildcards = false;  // xs:any was left out

private:
    /// Adds what a particle allows to `parent`; `outer_max` and `outer_required` carry the
    /// repetition and optionality of the groups around it.
    void add_particle(profile_element& parent, x::XSParticle* p, std::size_t outer_min,
                      bool outer_bounded, std::size_t depth) {
        const bool unbounded = p->getMaxOccursUnbounded() || !outer_bounded;
        const std::size_t min = static_cast<std::size_t>(p->getMinOccurs()) * outer_min;
        switch (p->getTermType()) {
            case x::XSParticle::TERM_ELEMENT: {
                auto child = element(p->getElementTerm(), depth + 1);
                child.min = std::min<std::size_t>(min, 1);
                if (unbounded || p->getMaxOccurs() > 1) child.max.reset();
                parent.elements.push_back(std::move(child));
                break;
            }
            case x::XSParticle::TERM_MODELGROUP: {
                auto* group = p->getModelGroupTerm();
                const auto compositor = group->getCompositor();
                const bool repeated = unbounded || p->getMaxOccurs() > 1;
                // An all-group or a repeated group lets children come in any order, any number
                // of times: the profile can only say "any of these". A single choice makes
                // each of its elements optional, in order.
                if (compositor == x::XSModelGroup::COMPOSITOR_ALL || repeated) {
                    parent.any_order = true;
                }
                auto* particles = group->getParticles();
                for (XMLSize_t i = 0; particles && i < particles->size(); ++i) {
                    const bool choice = compositor == x::XSModelGroup::COMPOSITOR_CHOICE;
                    add_particle(parent, particles->elementAt(i), choice ? 0 : min, !repeated,
                                 depth);
                }
                break;
            }
            case x::XSParticle::TERM_WILDCARD:
                wildcards = true;
                break;
            case x::XSParticle::TERM_EMPTY:
                break;
        }
        if (parent.any_order) {
            for (auto& c : parent.elements) {
                c.min = 0;
                c.max.reset();
            }
        }
    }
};

}  // namespace

boost::system::result<profile, std::string> import_xsd(const std::string& xsd_file,
                                                       std::string_view root, std::string name) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(xsd_file, ec))
        return failure(xsd_file + ": no such file");
    detail::ensure_xml_runtime();
    x::XMLGrammarPoolImpl pool(x::XMLPlatformUtils::fgMemoryManager);
    std::unique_ptr<x::SAX2XMLReader> reader(
        x::XMLReaderFactory::createXMLReader(x::XMLPlatformUtils::fgMemoryManager, &pool));
    reader->setFeature(x::XMLUni::fgSAX2CoreNameSpaces, true);
    reader->setFeature(x::XMLUni::fgXercesSchema, true);
    reader->setFeature(x::XMLUni::fgXercesLoadExternalDTD, false);
    reader->setFeature(x::XMLUni::fgXercesSchemaFullChecking, true);
    local_files_only handler;
    reader->setErrorHandler(&handler);
    reader->setEntityResolver(&handler);
    const auto path = std::filesystem::absolute(xsd_file).string();
    try {
        // Released however loadGrammar ends (a refused include throws through it).
        const std::unique_ptr<XMLCh, void (*)(XMLCh*)> file(
            x::XMLString::transcode(path.c_str()), [](XMLCh* p) { x::XMLString::release(&p); });
        const auto* grammar = reader->loadGrammar(file.get(), x::Grammar::SchemaGrammarType, true);
        if (!grammar || !handler.first.empty()) {
            return failure("the XSD did not load: " +
                           (handler.first.empty() ? xsd_file : handler.first));
        }
    } catch (x::SAXParseException& e) {
        return failure("the XSD did not load: " + detail::utf8(e.getMessage()));
    } catch (x::XMLException& e) {
        return failure("the XSD did not load: " + detail::utf8(e.getMessage()));
    }
    bool changed = false;
    x::XSModel* model = pool.getXSModel(changed);
    if (!model) return failure("the XSD declares nothing");
    auto* elements = model->getComponents(x::XSConstants::ELEMENT_DECLARATION);
    x::XSElementDeclaration* chosen = nullptr;
    std::string names;
    for (XMLSize_t i = 0; elements && i < elements->getLength(); ++i) {
        auto* d = static_cast<x::XSElementDeclaration*>(elements->item(i));
        const auto n = detail::utf8(d->getName());
        names += (names.empty() ? "" : ", ") + n;
        if ((root.empty() && !chosen) || n == root) chosen = d;
    }
    if (!chosen) {
        if (names.empty()) return failure("the XSD declares no global element");
        return failure("the XSD has no global element '" + std::string(root) +
                       "' (it has: " + names + ")");
    }
    importer in;
    profile p;
    p.format = profile_format::xml;
    p.root = in.element(chosen, 0);
    p.name = name.empty() ? p.root.name : std::move(name);
    return p;
}

}  // namespace ferry::profiles
