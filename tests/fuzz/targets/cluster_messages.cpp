// What a cluster node reads from NATS JetStream (queued runs, recorded outcomes, documents
// riding alone, replies, escaped subject tokens), fed any bytes: another node's message, a
// damaged one, or one of a newer ferry. Each gives a value or an error; what decodes must
// encode and decode again unchanged, and is never taken for a newer ferry's run.
#include "cluster/cluster_messages.hpp"

#include "cluster/cluster_replies.hpp"
#include "fuzz_input.hpp"

namespace {
using ferry::fuzz::invariant_broken;
namespace cluster = ferry::engine::cluster;

void queued_run(std::string_view bytes) {
    const auto run = cluster::decode_run(bytes);
    // A run this ferry reads is never taken for a newer ferry's (and left unrun).
    const bool newer = cluster::from_newer_ferry(bytes);
    if (!run) return;
    if (newer) invariant_broken("a run this ferry reads is taken for a newer ferry's");
    const auto once = cluster::encode_run(*run);
    const auto again = cluster::decode_run(once);
    if (!again || cluster::encode_run(*again) != once) {
        invariant_broken("a queued run changes on its way through encode and decode");
    }
}

void recorded_outcome(std::string_view bytes) {
    const auto outcome = cluster::decode_outcome(bytes);
    if (!outcome) return;
    const auto once = cluster::encode_outcome(*outcome);
    const auto again = cluster::decode_outcome(once);
    if (!again || cluster::encode_outcome(*again) != once) {
        invariant_broken("an outcome changes on its way through encode and decode");
    }
}

void documents(std::string_view bytes) {
    const auto docs = cluster::decode_documents(bytes);
    if (!docs) return;
    const auto again = cluster::decode_documents(cluster::encode_documents(*docs));
    if (!again || *again != *docs) invariant_broken("documents change through encode and decode");
}

void reply_frames(std::string_view bytes) {
    const auto frames = cluster::decode_frames(bytes);
    if (!frames) return;
    const auto again = cluster::decode_frames(cluster::encode_frames(*frames));
    if (!again || *again != *frames) invariant_broken("frames change through encode and decode");
}

void names(std::string_view text) {
    const auto token = cluster::subject_token(text);
    const auto back = cluster::unescaped(token, '~');
    if (!text.empty() && (!back || *back != text)) {
        invariant_broken("a subject token does not read back as its text", token);
    }
    (void)cluster::unescaped(text, '~');
    (void)cluster::reply_subject_of("ferry", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ferry::fuzz::fuzz_input in(data, size);
    switch (in.take_byte() % 5) {
        case 0:
            queued_run(in.rest());
            break;
        case 1:
            recorded_outcome(in.rest());
            break;
        case 2:
            documents(in.rest());
            break;
        case 3:
            reply_frames(in.rest());
            break;
        default:
            names(in.rest());
            break;
    }
    return 0;
}
