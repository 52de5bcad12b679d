#pragma once

#include <string>
#include <vector>

#include "ferry/engine/process.hpp"
#include "ferry/store/records.hpp"

namespace ferry::engine {

/// A document on its way through a process, with the position of the request document it
/// came from (for the document_id and document_index variables).
struct working_document {
    store::document doc;
    std::size_t index = 0;
};

struct run_settings {
    std::string files_root;  // file_write writes below this directory
};

/// How a run ended: on failure, which step failed and why.
struct run_outcome {
    bool ok = true;
    std::string failed_step;
    std::string error;
    std::vector<working_document> outputs;  // what left the last step
};

/// Runs `p` over the documents of one execution, step by step, on the calling thread.
/// Stateless and thread-safe: executors call it concurrently.
run_outcome run_process(const process& p, const store::execution_record& execution,
                        std::vector<working_document> documents, const run_settings& settings);

}  // namespace ferry::engine
