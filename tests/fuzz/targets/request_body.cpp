// A request body as the intake splits it into documents, for every input type (single and
// multiple JSON and XML, ndjson, multipart, data, none), then checked against a request
// profile of examples/ as an operation with one checks it: each body is documents or a 400
// (405 for a body where none is taken) with a sentence, never a crash.
#include <ferry/engine/intake/request_documents.hpp>
#include <ferry/engine/model/process.hpp>

#include "example_profiles.hpp"
#include "fuzz_input.hpp"
#include "intake/json_scan.hpp"

namespace {
using ferry::engine::data_type;
using ferry::fuzz::invariant_broken;

constexpr data_type input_types[] = {data_type::none,        data_type::single_data,
                                     data_type::single_xml,  data_type::multiple_xml,
                                     data_type::single_json, data_type::multiple_json,
                                     data_type::multipart,   data_type::ndjson};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& profiles = ferry::fuzz::example_profiles();
    ferry::fuzz::fuzz_input in(data, size);
    const auto selector = in.take_byte();
    const auto input = input_types[selector % std::size(input_types)];
    const auto content_type = in.take_part();  // multipart's boundary comes from it
    auto documents = ferry::engine::split_request(input, std::string(in.rest()), content_type);
    if (!documents) {
        const auto& error = documents.error();
        if (error.error.empty() || error.detail.empty() || error.status < 400) {
            invariant_broken("a refused body without a status, code and sentence", error.detail);
        }
        return 0;
    }
    if (input == data_type::single_json || input == data_type::multiple_json ||
        input == data_type::ndjson) {
        for (const auto& doc : *documents) {
            if (ferry::engine::validate_json(doc.data)) {
                invariant_broken("a JSON body split into a document that is not JSON", doc.data);
            }
        }
    }
    ferry::engine::listen_operation op;
    op.input = input;
    op.request_profile = profiles[(selector / std::size(input_types)) % profiles.size()];
    if (const auto problem = ferry::engine::check_request_profile(op, *documents)) {
        if (problem->status != 400 || !problem->problem) {
            invariant_broken("a document off its profile without a 400 naming where");
        }
    }
    return 0;
}
