#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/store/histogram.hpp"
#include "ferry/store/records.hpp"

namespace rocksdb {
class WriteBatch;
}

namespace ferry::store {

struct store_stats {
    std::uint64_t synced_writes = 0;  // WAL fsyncs
    std::uint64_t sync_micros = 0;    // total time spent in them
    std::uint64_t executions_committed = 0;
    std::uint64_t documents_committed = 0;
    histogram::snapshot sync_seconds;  // each WAL fsync of sync()
};

/// ferry's durable state on one embedded RocksDB instance: documents, executions, the pending
/// queue and metadata, each in its own column family (docs/storage.md).
///
/// Lifecycle: open() at start-up; destroy after every thread using it has stopped.
/// Concurrency: every method is thread-safe and blocking (RocksDB I/O); call it from a thread
/// that may block (the intake thread, executor threads, a blocking pool), never an I/O thread.
/// Durability: commit() and sync() fsync the WAL before they return; append(),
/// update_executions() and finish_executions() do not. Unsynced writes become durable with the
/// next sync (one WAL for all column families); losing an unsynced finish in a crash only makes
/// an execution run again.
class store {
public:
    [[nodiscard]] static boost::system::result<std::unique_ptr<store>> open(
        const std::string& directory);
    ~store();
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    /// Writes every execution, its documents and a pending-queue entry in one atomic batch,
    /// without syncing, and returns the highest pending seq it assigned (record.pending_seq of
    /// each execution is set). Nothing appended is durable, nor may be acknowledged, before a
    /// sync() that started after append() returned has succeeded.
    [[nodiscard]] boost::system::result<std::uint64_t> append(std::span<new_execution> batch);

    /// Fsyncs the WAL: everything written before the call is durable when it returns. May run
    /// concurrently with writes on other threads.
    [[nodiscard]] boost::system::result<void> sync();

    /// append() then sync(): the group commit. Returns the highest pending seq, as append().
    [[nodiscard]] boost::system::result<std::uint64_t> commit(std::span<new_execution> batch);

    [[nodiscard]] boost::system::result<execution_record> read_execution(std::string_view id) const;
    [[nodiscard]] boost::system::result<document> read_document(std::string_view id) const;
    /// Several at once (one lookup of all the keys, cheaper than one each): each id's value or
    /// why not, in the order of `ids`.
    [[nodiscard]] std::vector<boost::system::result<execution_record>> read_executions(
        std::span<const std::string_view> ids) const;
    [[nodiscard]] std::vector<boost::system::result<document>> read_documents(
        std::span<const std::string_view> ids) const;
    /// Execution records in their stored form (encode_execution()'s bytes, undecoded).
    [[nodiscard]] std::vector<boost::system::result<std::string>> read_stored_executions(
        std::span<const std::string_view> ids) const;
    /// Documents in their stored form (encode_document()'s bytes), each checked whole
    /// (check_document()): a corrupt one is an error here, as read_documents() gives it.
    [[nodiscard]] std::vector<boost::system::result<std::string>> read_stored_documents(
        std::span<const std::string_view> ids) const;

    /// Pending entries with seq >= from_seq in seq order, at most `limit`.
    [[nodiscard]] boost::system::result<std::vector<pending_entry>> read_pending(
        std::uint64_t from_seq, std::size_t limit) const;

    /// Overwrites execution records (for example queued -> running) in one batch. Not synced.
    [[nodiscard]] boost::system::result<void> update_executions(
        std::span<const execution_record> records);

    /// Notes that executor slot `slot` is now running the pending entries `seqs` (replacing
    /// what the slot ran before): one small write instead of rewriting every record. Not synced,
    /// yet it survives a crash of the process (the WAL is in the page cache), which is the
    /// crash it exists for: an execution that keeps killing the server (see
    /// recover_interrupted()).
    [[nodiscard]] boost::system::result<void> record_running(std::uint32_t slot,
                                                             std::span<const std::uint64_t> seqs);

    /// At start-up, before any executor runs: every execution a previous server was running
    /// when it stopped (per record_running()) and that is still pending gets one more attempt
    /// counted in its record; the running notes are cleared. Returns how many were counted. A
    /// record that does not decode is left as it is (logged): its claim sets it aside.
    [[nodiscard]] boost::system::result<std::size_t> recover_interrupted();

    /// What an executor slot runs next, noted as record_running() would.
    struct running_note {
        std::uint32_t slot = 0;
        std::vector<std::uint64_t> seqs;
    };

    /// Stores final records (and, general mode, the documents their steps put out) and removes
    /// their pending entries in one atomic batch. Executions they `started` (process_call
    /// without wait) are queued in the same batch, so a finished execution has started them
    /// exactly once; their pending_seq is set as append() would. `then_running`: the slot's
    /// next batch, noted in the same write (an executor that claimed it already saves the
    /// separate record_running() write). `encoded`: more of both, already in stored form.
    /// Not synced.
    [[nodiscard]] boost::system::result<void> finish_executions(
        std::span<const execution_record> records,
        std::span<const std::pair<std::string, document>> step_documents = {},
        std::span<new_execution> started = {}, std::span<const dead_letter> dead = {},
        const running_note* then_running = nullptr, const encoded_outcomes* encoded = nullptr);

    // Internal queues (SPEC §3). An execution waits outside the pending queue while it is a
    // redelivery not yet due ("delayed/<id>") or a message no process listens for yet
    // ("parked/<id>"); both are written by append() / finish_executions() from the fields of
    // new_execution, and moved to the pending queue by the calls below (synced).

    /// Every delayed redelivery, in id order.
    [[nodiscard]] boost::system::result<std::vector<waiting_entry>> list_delayed() const;
    /// Queues the delayed executions `ids` (their time has come); returns the last seq
    /// assigned (0 when none of them was still delayed).
    [[nodiscard]] boost::system::result<std::uint64_t> queue_delayed(
        std::span<const std::string> ids);
    /// Every parked message, in id order.
    [[nodiscard]] boost::system::result<std::vector<waiting_entry>> list_parked() const;
    /// Queues parked messages for the listeners chosen for them: `assigned` are their records
    /// with process and version set; `copies` are further deliveries of them (a published
    /// message reaches every listener). One atomic batch; returns the last seq assigned.
    [[nodiscard]] boost::system::result<std::uint64_t> release_parked(
        std::span<execution_record> assigned, std::span<new_execution> copies);

    /// Cluster mode: the outbox (new_execution::outbox), in id order.
    [[nodiscard]] boost::system::result<std::vector<outbox_entry>> list_outbox() const;
    /// Takes executions out of the outbox (the cluster has surely written them).
    [[nodiscard]] boost::system::result<void> drop_from_outbox(std::span<const std::string> ids);

    /// Dead letters in id order (oldest first), of one queue or of all ("" for `queue`),
    /// starting after `cursor` (an execution id, "" for the first); at most `limit`.
    [[nodiscard]] boost::system::result<std::vector<dead_letter>> list_dead_letters(
        std::string_view queue, std::string_view cursor, std::size_t limit) const;
    [[nodiscard]] boost::system::result<dead_letter> read_dead_letter(std::string_view id) const;
    /// Removes dead letters (resent or cleared); synced. Unknown ids are ignored.
    [[nodiscard]] boost::system::result<void> remove_dead_letters(std::span<const std::string> ids);

    /// An execution whose stored record cannot be read (it does not decode): its pending entry
    /// `pending_seq` is removed, so that no claim meets it again, and it is noted under
    /// "damaged/<id>" with `reason`, while the record's bytes stay exactly as they are, for an
    /// operator to look at (`ferry check` lists it). Synced.
    [[nodiscard]] boost::system::result<void> set_aside_damaged(std::string_view execution_id,
                                                                std::uint64_t pending_seq,
                                                                std::string_view reason);
    /// Executions set aside as damaged: (execution id, reason), in id order.
    [[nodiscard]] boost::system::result<std::vector<std::pair<std::string, std::string>>>
    list_damaged() const;

    /// Reserves `count` values of the named sequence (SPEC §3, sequential values) and returns
    /// the first; values start at 1. Synced before it returns, so a value handed out is never
    /// handed out again, even after a crash (values reserved but unused are skipped).
    [[nodiscard]] boost::system::result<std::uint64_t> reserve_sequence(std::string_view name,
                                                                        std::uint64_t count);

    /// Answers kept for callers who come back for them (SPEC §2): the reply of a synchronous
    /// execution (key "reply/<execution id>") and the later pages of a long list reply
    /// ("page/<token>"). A value starts with its expiry: 8 bytes big-endian, ms since the
    /// epoch (0 = never). Not synced (written before the executions' finish).
    [[nodiscard]] boost::system::result<void> put_answers(
        std::span<const std::pair<std::string, std::string>> entries);
    [[nodiscard]] boost::system::result<std::string> read_answer(std::string_view key) const;
    /// Deletes every answer whose expiry has passed; returns how many.
    [[nodiscard]] boost::system::result<std::size_t> delete_expired_answers(std::int64_t now_ms);

    /// Lists executions newest first (ids sort by creation time). `cursor`: the last id of the
    /// previous page, "" for the first. `adjust` may change a record before the filter sees
    /// it (the engine marks running ones). At most `scan_limit` records are read per call, so
    /// a selective filter over a long history still answers promptly: the page may then be
    /// short, with a cursor to go on from.
    [[nodiscard]] boost::system::result<execution_page> list_executions(
        const execution_filter& filter, std::string_view cursor, std::size_t limit,
        const std::function<void(execution_record&)>& adjust = {},
        std::size_t scan_limit = 100'000) const;

    /// Retention: deletes every execution created before `cutoff_ms` with its documents and
    /// step outputs, by two ranged deletes (ids, and document ids after them, begin with the
    /// creation time), so it costs the same for a thousand executions or a billion. Nothing
    /// unfinished is touched: the range ends before the oldest pending execution, the oldest
    /// upload still arriving and the oldest delayed or parked queue message. Dead letters in
    /// the range go with their executions. Returns the first id kept (the end of the range, ""
    /// when nothing could go). Not synced (a crash only leaves more to delete next time).
    [[nodiscard]] boost::system::result<std::string> delete_history_before(std::int64_t cutoff_ms);

    /// Operator state (deployed definitions, paused listeners, replay jobs), kept in the meta
    /// column family under "control/<key>". Every change of one call is one atomic batch,
    /// synced before it returns; a missing value deletes its key.
    using control_change = std::pair<std::string, std::optional<std::string>>;
    [[nodiscard]] boost::system::result<void> put_control(std::span<const control_change> changes);
    /// Every control entry whose key starts with `prefix`, in key order (keys without the
    /// "control/" part).
    [[nodiscard]] boost::system::result<std::vector<std::pair<std::string, std::string>>>
    list_control(std::string_view prefix) const;

    /// Highest pending seq ever assigned (survives restart).
    std::uint64_t last_seq() const;
    store_stats stats() const;

private:
    struct impl;  // keeps rocksdb/*.h out of every includer
    explicit store(std::unique_ptr<impl> impl);
    // Queues new executions in `wb` after the last seq; returns the new last seq. Needs the
    // commit mutex.
    std::uint64_t put_new_executions(rocksdb::WriteBatch& wb, std::span<new_execution> batch);
    void count_new_executions(std::span<const new_execution> batch, std::uint64_t seq);
    std::unique_ptr<impl> impl_;
};

}  // namespace ferry::store
