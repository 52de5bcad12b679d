// The messages between the serving process and its `ferry worker` processes, and between the
// ingress and the engine's intake, fed any frames: a worker of another version, a damaged
// message, or anything that reached the port. Each gives a value or an error (the serving
// process drops the message); what decodes must encode and decode again unchanged.
#include "workers/worker_protocol.hpp"

#include <ferry/engine/execute/reply.hpp>
#include <ferry/engine/intake/submission.hpp>

#include "fuzz_input.hpp"

namespace {
using ferry::fuzz::invariant_broken;
namespace engine = ferry::engine;
namespace protocol = ferry::engine::worker_protocol;
using frames = ferry::transport::frames;

frames frames_of(ferry::fuzz::fuzz_input& in) {
    frames out;
    for (const auto part : in.take_parts()) out.emplace_back(part);
    return out;
}

void worker_header(std::string_view bytes) {
    const auto header = protocol::decode_worker_header(bytes);
    if (!header) return;
    const auto again = protocol::decode_worker_header(protocol::encode_header(*header));
    if (!again || again->what != header->what || again->worker_id != header->worker_id ||
        again->received != header->received || again->sequence_name != header->sequence_name ||
        again->count != header->count) {
        invariant_broken("a worker header changes on its way through encode and decode");
    }
}

void work(const frames& in) {
    (void)protocol::work_number(in);
    const auto w = protocol::decode_work(in);
    if (!w) return;
    const auto once = protocol::encode_work(*w);
    const auto again = protocol::decode_work(once);
    if (!again || protocol::encode_work(*again) != once) {
        invariant_broken("a work message changes on its way through encode and decode");
    }
}

void results(std::string_view bytes) {
    const auto r = protocol::decode_results(bytes);
    if (!r) return;
    if (r->records.size() != r->heads.size() || r->records.size() != r->leases.size()) {
        invariant_broken("results with records, heads and leases of different counts");
    }
}

void submission(const frames& in) {
    const auto s = engine::decode_submission(in);
    if (!s) return;
    const auto once = engine::encode_submission(*s);
    const auto again = engine::decode_submission(once);
    if (!again || engine::encode_submission(*again) != once) {
        invariant_broken("a submission changes on its way through encode and decode");
    }
}

void intake_reply(const frames& in) {
    const auto r = engine::decode_reply(in);
    if (!r) return;
    const auto once = engine::encode_reply(*r);
    const auto again = engine::decode_reply(once);
    if (!again || engine::encode_reply(*again) != once) {
        invariant_broken("an intake reply changes on its way through encode and decode");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ferry::fuzz::fuzz_input in(data, size);
    switch (in.take_byte() % 9) {
        case 0:
            worker_header(in.rest());
            break;
        case 1:
            work(frames_of(in));
            break;
        case 2:
            results(in.rest());
            break;
        case 3:
            (void)protocol::decode_report(in.rest());
            break;
        case 4:
            (void)protocol::decode_early_reply(in.rest());
            break;
        case 5:
            (void)protocol::decode_server_header(in.rest());
            break;
        case 6:
            submission(frames_of(in));
            break;
        case 7:
            intake_reply(frames_of(in));
            break;
        default: {
            const auto bytes = in.rest();
            (void)engine::decode_sync_reply(frames_of(in));
            (void)engine::decode_kept_answer(bytes);
            break;
        }
    }
    return 0;
}
