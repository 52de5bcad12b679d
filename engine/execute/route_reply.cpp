#include "ferry/engine/execute/route_reply.hpp"

#include <charconv>
#include <string>

namespace ferry::engine {
namespace {

constexpr const char* output_property = "api_output";
constexpr const char* page_size_property = "api_page_size";
constexpr const char* content_type_property = "api_content_type";

}  // namespace

void set_route_reply(const api_route& route, store::properties& props) {
    if (!route.output.empty()) props[output_property] = route.output;
    if (route.page_size > 0) props[page_size_property] = std::to_string(route.page_size);
    if (!route.content_type.empty()) props[content_type_property] = route.content_type;
}

std::shared_ptr<const process> with_route_reply(std::shared_ptr<const process> p,
                                                const store::properties& props) {
    const auto output = props.find(output_property);
    const auto page_size = props.find(page_size_property);
    const auto content_type = props.find(content_type_property);
    if (!p || (output == props.end() && page_size == props.end() && content_type == props.end())) {
        return p;
    }
    auto routed = std::make_shared<process>(*p);
    if (output != props.end()) {
        if (const auto type = parse_data_type(output->second)) routed->listen.output = *type;
    }
    if (page_size != props.end()) {
        std::size_t size = 0;
        const auto& text = page_size->second;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), size);
        if (ec == std::errc() && end == text.data() + text.size() && size > 0) {
            routed->listen.page_size = size;
        }
    }
    if (content_type != props.end()) routed->listen.result_content_type = content_type->second;
    return routed;
}

}  // namespace ferry::engine
