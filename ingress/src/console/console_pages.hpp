#pragma once

#include <boost/asio/awaitable.hpp>

#include "routes.hpp"

// The operator console's handlers (docs/console.md): HTML pages on the admin listeners, each
// rendered from the admin API's own answers (admin_reader.hpp). routes.cpp names their paths.
namespace ferry::ingress::console {

using page = boost::asio::awaitable<response>;

/// GET /_console: to /_console/.
page to_overview(routed_request r);
/// GET /_console/assets/{name}: the embedded stylesheet, script and icon.
page asset(routed_request r);
/// GET /_console/events: server-sent events, one `figures` event a second (live_events.cpp).
page live_events(routed_request r);

/// GET /_console/: node state, disk, queue depth, executions, workers, live rates, alerts.
page overview_page(routed_request r);
/// GET /_console/processes: versions, deploy by upload, activate, undeploy.
page processes_page(routed_request r);
/// GET /_console/processes/{name}/diff?from=N&to=M: the YAML of two versions, line by line.
page process_diff_page(routed_request r);
/// GET /_console/listeners: every path with its state, last error, live rate; pause, resume,
/// restart one or the selected ones.
page listeners_page(routed_request r);
/// GET /_console/executions?{filter}: the history, filtered, paged on the server.
page executions_page(routed_request r);
/// GET /_console/executions/export?format=csv|ndjson&{filter}: every matching execution.
page executions_export(routed_request r);
/// GET /_console/executions/{id}: trace, documents (10 KB previews), properties, reply.
page execution_page(routed_request r);
/// GET /_console/executions/{id}/documents/{document}: the document's exact bytes.
page document_download(routed_request r);
/// GET /_console/queues: queues, their dead letters; resend or clear.
page queues_page(routed_request r);
/// GET /_console/queues/dead-letters/{id}: one dead letter and its delivery history.
page dead_letter_page(routed_request r);
/// GET /_console/replays, /_console/replays/{id}: bulk replays, their progress and differences.
page replays_page(routed_request r);
page replay_page(routed_request r);
/// GET /_console/apis[?api=&version=]: API versions, routes with live rates, the OpenAPI.
page apis_page(routed_request r);
/// GET /_console/runtimes: this runtime and, in cluster mode, every member of the cluster.
page runtimes_page(routed_request r);
/// GET /_console/runtimes/{name}: a registered runtime's overview, listeners and processes.
page runtime_page(routed_request r);

}  // namespace ferry::ingress::console
