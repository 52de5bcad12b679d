#pragma once

#include <memory>

#include "ferry/engine/model/api_definition.hpp"
#include "ferry/engine/model/process.hpp"
#include "ferry/store/records.hpp"

namespace ferry::engine {

/// An API route may answer otherwise than its operation (docs/apis.md: output, page_size,
/// content_type). The execution carries the route's choice as process properties
/// (`api_output`, `api_page_size`, `api_content_type`), so that whoever runs it (an executor
/// here, a worker, another node, a replay) answers as the route does.

/// Sets the properties for the reply overrides of `route` (none when it overrides nothing).
void set_route_reply(const api_route& route, store::properties& props);

/// `p` as the route that started the execution answers: a copy with the overridden listen
/// settings, or `p` itself when the properties override nothing (or name no valid value).
std::shared_ptr<const process> with_route_reply(std::shared_ptr<const process> p,
                                                const store::properties& props);

}  // namespace ferry::engine
