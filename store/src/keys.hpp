#pragma once

#include <string>

namespace ferry::store::keys {

// Column family names; docs/storage.md documents what each holds.
inline const std::string documents = "documents";
inline const std::string executions = "executions";
inline const std::string pending = "pending";
inline const std::string meta = "meta";
inline const std::string answers = "answers";

// Keys in the meta column family.
inline const std::string format_version = "format_version";
inline const std::string last_seq = "last_seq";
// "running/<slot>": the pending seqs executor slot <slot> is running (docs/storage.md).
inline const std::string running_prefix = "running/";
// "sequence/<name>": the next value not yet handed out of the named sequential value.
inline const std::string sequence_prefix = "sequence/";
// "upload/<execution id>": a streamed upload whose documents are staged but not yet queued.
inline const std::string upload_prefix = "upload/";
// "control/<key>": operator state (store::put_control).
inline const std::string control_prefix = "control/";

// "delayed/<execution id>": a queue redelivery waiting until its due time (8-byte big-endian ms).
inline const std::string delayed_prefix = "delayed/";
// "parked/<execution id>": a queue message waiting for a listener (value: the queue's name).
inline const std::string parked_prefix = "parked/";
// "outbox/<execution id>": cluster mode, an execution handed to the cluster and kept here until
// the cluster has surely written it (8-byte big-endian ms it was stored, then the answers key
// of the idempotency claim it makes, if any).
inline const std::string outbox_prefix = "outbox/";
// "dead/<execution id>": a dead letter (value: string queue, varint ms it died).
inline const std::string dead_prefix = "dead/";
// "damaged/<execution id>": an execution set aside because its record does not decode (value:
// 8-byte big-endian ms when, then the reason); the record itself is left as it was.
inline const std::string damaged_prefix = "damaged/";

inline constexpr const char* current_format = "1";

}  // namespace ferry::store::keys
