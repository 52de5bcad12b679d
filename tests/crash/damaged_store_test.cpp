// A store damaged while the server was down (issue 28, "corrupted and truncated stores"): a
// record that does not decode, a lost column family, a store of a newer format, a torn WAL
// tail. ferry starts and says what is wrong (or sets the damaged record aside and goes on), never
// crashes, never drops acknowledged work in silence and never writes over what it could not
// read; `ferry check --data DIR` names each problem and exits 1 (0 for a sound store).
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace ferry {
namespace {

struct command_result {
    int status = -1;     // exit status
    std::string output;  // stdout and stderr
};

command_result run(const std::string& args) {
    const auto command = std::string(FERRY_BINARY) + " " + args + " 2>&1";
    FILE* out = ::popen(command.c_str(), "r");
    command_result result;
    if (!out) return result;
    char buf[4096];
    while (const auto n = std::fread(buf, 1, sizeof buf, out)) result.output.append(buf, n);
    const int status = ::pclose(out);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

// The store of a stopped server, opened with RocksDB itself, as damage would find it.
class raw_store {
public:
    explicit raw_store(const std::filesystem::path& data) {
        const auto dir = (data / "db").string();
        std::vector<std::string> names;
        EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::Options(), dir, &names).ok());
        std::vector<rocksdb::ColumnFamilyDescriptor> families;
        for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
        rocksdb::DB* raw = nullptr;
        const auto status = rocksdb::DB::Open(rocksdb::Options(), dir, families, &handles_, &raw);
        EXPECT_TRUE(status.ok()) << status.ToString();
        db_.reset(raw);
    }
    ~raw_store() {
        for (auto* handle : handles_) (void)db_->DestroyColumnFamilyHandle(handle);
    }
    rocksdb::ColumnFamilyHandle* family(const std::string& name) {
        for (auto* handle : handles_) {
            if (handle->GetName() == name) return handle;
        }
        ADD_FAILURE() << "no column family " << name;
        return nullptr;
    }
    void put(const std::string& family_name, const std::string& key, const std::string& value) {
        rocksdb::WriteOptions synced;
        synced.sync = true;
        ASSERT_TRUE(db_->Put(synced, family(family_name), key, value).ok());
    }
    rocksdb::Status read(const std::string& family_name, const std::string& key) {
        std::string value;
        return db_->Get(rocksdb::ReadOptions(), family(family_name), key, &value);
    }
    std::optional<std::string> get(const std::string& family_name, const std::string& key) {
        std::string value;
        const auto status = db_->Get(rocksdb::ReadOptions(), family(family_name), key, &value);
        if (!status.ok()) return std::nullopt;
        return value;
    }
    void drop(const std::string& family_name) {
        ASSERT_TRUE(db_->DropColumnFamily(family(family_name)).ok());
    }
    // Writes what the memtables hold to table files, where block checksums guard it.
    void flush() { ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions(), handles_).ok()); }
    // The table files of a column family, by path.
    std::vector<std::filesystem::path> table_files(const std::string& family_name) {
        std::vector<rocksdb::LiveFileMetaData> files;
        db_->GetLiveFilesMetaData(&files);
        std::vector<std::filesystem::path> paths;
        for (const auto& file : files) {
            if (file.column_family_name == family_name) {
                paths.emplace_back(file.db_path + "/" + file.name);
            }
        }
        return paths;
    }

private:
    std::unique_ptr<rocksdb::DB> db_;
    std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

class DamagedStoreTest : public ::testing::Test {
protected:
    // A stored (general) execution per post, answered 202.
    void SetUp() override {
        processes_.write("keep.yaml",
                         "name: keepThing\n"
                         "mode: general\n"
                         "listen: {type: create, object: Thing, input: single_json, output: none}\n"
                         "steps:\n"
                         "  - message: {template: \"{1}\", variables: [current_data]}\n");
    }

    // Posts `n` documents to a server that runs nothing (--executors 0): their executions stay
    // pending in the store. Returns their ids.
    std::vector<std::string> queue_executions(std::size_t n) {
        test::server_process server(processes_.str(), data_.str(), {"--executors", "0"});
        test::http_session session(server.port());
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < n; ++i) {
            const auto res = session.request("POST", "/ws/simple/createThing",
                                             "{\"n\":" + std::to_string(i) + "}");
            EXPECT_EQ(res.status, 202) << res.body;
            ids.emplace_back(boost::json::parse(res.body).at("execution_id").as_string());
        }
        EXPECT_EQ(server.stop(), 0);
        return ids;
    }

    std::string check() { return "check --data " + data_.str(); }

    test::temp_dir processes_;
    test::temp_dir data_;
};

TEST_F(DamagedStoreTest, ASoundStoreChecksClean) {
    const auto ids = queue_executions(5);
    const auto pending = run(check());
    EXPECT_EQ(pending.status, 0) << pending.output;
    EXPECT_NE(pending.output.find("5 pending entries"), std::string::npos) << pending.output;
    EXPECT_NE(pending.output.find("the store is sound"), std::string::npos) << pending.output;
    {
        test::server_process server(processes_.str(), data_.str());
        for (const auto& id : ids) {
            EXPECT_EQ(test::wait_finished(server.port(), id).at("state").as_string(), "succeeded");
        }
    }
    const auto finished = run(check());
    EXPECT_EQ(finished.status, 0) << finished.output;
    EXPECT_NE(finished.output.find("0 pending entries"), std::string::npos) << finished.output;
}

// A record that does not decode: set aside with its bytes untouched, reported; the others run.
TEST_F(DamagedStoreTest, ARecordThatDoesNotDecodeIsSetAsideAndKept) {
    const auto ids = queue_executions(4);
    const std::string damaged = ids[1];
    const std::string garbage = "\x07this is not an execution record\xff\xfe";
    raw_store(data_.path()).put("executions", damaged, garbage);

    const auto before = run(check());
    EXPECT_EQ(before.status, 1) << before.output;
    EXPECT_NE(before.output.find("execution record " + damaged + " does not decode"),
              std::string::npos)
        << before.output;
    {
        test::server_process server(processes_.str(), data_.str());
        for (const auto& id : ids) {
            if (id == damaged) continue;
            EXPECT_EQ(test::wait_finished(server.port(), id).at("state").as_string(), "succeeded");
        }
        EXPECT_TRUE(test::eventually([&] {
            return server.log().find("a damaged execution was set aside") != std::string::npos;
        })) << server.log();
        // The history still lists the rest, and asking for the damaged one is an answer.
        test::http_session session(server.port());
        const auto listed = session.request("GET", "/_admin/executions?limit=10");
        EXPECT_EQ(listed.status, 200) << listed.body;
        const auto one = session.request("GET", "/_admin/executions/" + damaged);
        EXPECT_EQ(one.status, 500) << one.body;
        EXPECT_NE(one.body.find("damaged_record"), std::string::npos) << one.body;
        EXPECT_EQ(server.stop(), 0);
    }
    // Restarted, it is not claimed again; its bytes are as they were.
    {
        test::server_process server(processes_.str(), data_.str());
        test::http_session session(server.port());
        EXPECT_EQ(session.request("GET", "/_admin/status").status, 200);
        EXPECT_EQ(server.stop(), 0);
        // The log holds every run on this data directory: the first met it, once.
        const auto log = server.log();
        const auto first = log.find("execution record unreadable execution_id");
        EXPECT_NE(first, std::string::npos) << log;
        EXPECT_EQ(log.find("execution record unreadable execution_id", first + 1),
                  std::string::npos)
            << log;
    }
    EXPECT_EQ(raw_store(data_.path()).get("executions", damaged), garbage);
    const auto after = run(check());
    EXPECT_EQ(after.status, 1) << after.output;
    EXPECT_NE(after.output.find("execution " + damaged + " was set aside as damaged"),
              std::string::npos)
        << after.output;
}

std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A table file with bytes overwritten on disk, and what it held before.
struct damaged_table {
    std::filesystem::path path;
    std::string bytes;  // as damaged
};

// Writes the executions out to their one table file (a stopped server's WAL and memtable), then
// overwrites 16 bytes a third of the way in, where a data block lies (the index and footer are
// at the end). RocksDB's block checksum catches it whenever that block is read.
damaged_table damage_executions_table(const std::filesystem::path& data) {
    damaged_table table;
    {
        raw_store store(data);
        store.flush();
        const auto tables = store.table_files("executions");
        EXPECT_EQ(tables.size(), 1u);
        if (tables.empty()) return table;
        table.path = tables[0];
    }
    table.bytes = file_bytes(table.path);
    EXPECT_GT(table.bytes.size(), 8192u);
    table.bytes.replace(table.bytes.size() / 3, 16, std::string(16, 'X'));
    std::ofstream out(table.path, std::ios::binary | std::ios::trunc);
    out << table.bytes;
    return table;
}

// Bits flipped on disk inside a table file of the executions: `ferry check` names the file; the
// server starts and serves, sets aside the executions whose block it cannot read (500
// damaged_record), runs the others, and leaves the damaged file as it found it.
TEST_F(DamagedStoreTest, ABlockThatFailsItsChecksumIsReportedAndItsExecutionsSetAside) {
    const auto ids = queue_executions(300);
    const auto table = damage_executions_table(data_.path());
    ASSERT_FALSE(table.path.empty());

    const auto before = run(check());
    EXPECT_EQ(before.status, 1) << before.output;
    EXPECT_NE(before.output.find("block checksum mismatch"), std::string::npos) << before.output;
    EXPECT_NE(before.output.find(table.path.filename().string()), std::string::npos)
        << before.output;
    EXPECT_EQ(before.output.find("which has no record"), std::string::npos) << before.output;

    std::size_t damaged = 0;
    {
        test::server_process server(processes_.str(), data_.str());
        test::http_session session(server.port());
        // Every acknowledged execution ends readable and succeeded, or set aside and said so.
        for (const auto& id : ids) {
            std::string state;
            EXPECT_TRUE(test::eventually([&] {
                const auto res = session.request("GET", "/_admin/executions/" + id);
                if (res.status == 500 && res.body.find("damaged_record") != std::string::npos) {
                    state = "damaged";
                } else if (res.status == 200) {
                    state = std::string(boost::json::parse(res.body).at("state").as_string());
                }
                return state == "damaged" || state == "succeeded";
            })) << id
                << " is " << state;
            if (state == "damaged") ++damaged;
        }
        EXPECT_GT(damaged, 0u);
        EXPECT_LT(damaged, ids.size());
        // New work is taken and run beside the damage.
        const auto posted = session.request("POST", "/ws/simple/createThing", "{\"n\":-1}");
        ASSERT_EQ(posted.status, 202) << posted.body;
        const auto id = std::string(boost::json::parse(posted.body).at("execution_id").as_string());
        EXPECT_EQ(test::wait_finished(server.port(), id).at("state").as_string(), "succeeded");
        EXPECT_NE(server.log().find("block checksum mismatch"), std::string::npos);
        EXPECT_EQ(server.stop(), 0);
    }
    EXPECT_EQ(file_bytes(table.path), table.bytes);
    const auto after = run(check());
    EXPECT_EQ(after.status, 1) << after.output;
    EXPECT_NE(after.output.find("was set aside as damaged"), std::string::npos) << after.output;
}

// Once a compaction reaches the damaged block, RocksDB takes no more writes (its background
// error): ferry then refuses new work with a sentence that says why, acknowledges nothing it did
// not store, still answers for what it holds, and stops cleanly. Each start flushes what the
// last one wrote into a new table file; the fourth sets off the compaction.
TEST_F(DamagedStoreTest, ACompactionThatMeetsTheDamageStopsWritesWithASentence) {
    auto acknowledged = queue_executions(300);
    const auto table = damage_executions_table(data_.path());
    ASSERT_FALSE(table.path.empty());

    bool refused = false;
    for (int round = 0; round < 10 && !refused; ++round) {
        test::server_process server(processes_.str(), data_.str(), {"--executors", "0"});
        test::http_session session(server.port());
        for (int i = 0; i < 20 && !refused; ++i) {
            const auto res = session.request("POST", "/ws/simple/createThing",
                                             "{\"round\":" + std::to_string(round) + "}");
            if (res.status == 202) {
                acknowledged.emplace_back(
                    boost::json::parse(res.body).at("execution_id").as_string());
                continue;
            }
            refused = true;
            EXPECT_EQ(res.status, 507) << res.body;
            EXPECT_NE(res.body.find("the store is damaged"), std::string::npos) << res.body;
            EXPECT_NE(res.body.find("nothing was accepted"), std::string::npos) << res.body;
            // What it holds is still read, and its status says it refuses writes.
            const auto one = session.request("GET", "/_admin/executions/" + acknowledged.back());
            EXPECT_EQ(one.status, 200) << one.body;
            const auto status = session.request("GET", "/_admin/status");
            EXPECT_EQ(status.status, 200) << status.body;
            EXPECT_NE(status.body.find(R"("store":"refusing_writes")"), std::string::npos)
                << status.body;
            // So does `ferry status`, which fails for a script that asks whether all is well.
            const auto cli =
                run("status --server http://127.0.0.1:" + std::to_string(server.port()));
            EXPECT_EQ(cli.status, 1) << cli.output;
            EXPECT_NE(cli.output.find("listening (the store refuses writes"), std::string::npos)
                << cli.output;
        }
        EXPECT_EQ(server.stop(), 0);
        if (refused) {
            EXPECT_NE(server.log().find("Compaction error: Corruption"), std::string::npos);
        }
    }
    EXPECT_TRUE(refused) << "no compaction reached the damaged table file";

    EXPECT_EQ(file_bytes(table.path), table.bytes);
    const auto checked = run(check());
    EXPECT_EQ(checked.status, 1) << checked.output;
    EXPECT_NE(checked.output.find("block checksum mismatch"), std::string::npos) << checked.output;
    // Every acknowledged execution is in the store: readable, or in the damaged block.
    raw_store store(data_.path());
    std::size_t unreadable = 0;
    for (const auto& id : acknowledged) {
        const auto status = store.read("executions", id);
        EXPECT_FALSE(status.IsNotFound()) << id;
        if (status.IsCorruption()) ++unreadable;
    }
    EXPECT_GT(unreadable, 0u);
}

TEST_F(DamagedStoreTest, ADocumentThatDoesNotDecodeFailsItsExecutionAndIsKept) {
    const auto ids = queue_executions(2);
    const auto document = ids[0] + "-0";
    raw_store(data_.path()).put("documents", document, "\x63garbage");
    const auto checked = run(check());
    EXPECT_EQ(checked.status, 1) << checked.output;
    EXPECT_NE(checked.output.find("document " + document + " does not decode"), std::string::npos)
        << checked.output;
    {
        test::server_process server(processes_.str(), data_.str());
        const auto failed = test::wait_finished(server.port(), ids[0]);
        EXPECT_EQ(failed.at("state").as_string(), "failed") << failed;
        EXPECT_NE(boost::json::serialize(failed).find("unreadable"), std::string::npos) << failed;
        EXPECT_EQ(test::wait_finished(server.port(), ids[1]).at("state").as_string(), "succeeded");
    }
    EXPECT_EQ(raw_store(data_.path()).get("documents", document), "\x63garbage");
}

// A lost column family: ferry refuses to start and says which; nothing is created in its place.
TEST_F(DamagedStoreTest, ALostColumnFamilyIsNamedAndNotRecreated) {
    queue_executions(3);
    raw_store(data_.path()).drop("pending");
    const auto started =
        run("serve --port 0 --processes " + processes_.str() + " --data " + data_.str());
    EXPECT_NE(started.status, 0) << started.output;
    EXPECT_NE(started.output.find("column family"), std::string::npos) << started.output;
    EXPECT_NE(started.output.find("pending"), std::string::npos) << started.output;
    const auto checked = run(check());
    EXPECT_EQ(checked.status, 1) << checked.output;
    EXPECT_NE(checked.output.find("column family 'pending' is missing"), std::string::npos)
        << checked.output;
}

// A store written by a newer ferry: refused, named, left as it is.
TEST_F(DamagedStoreTest, ANewerFormatIsRefusedAndLeftAlone) {
    queue_executions(1);
    raw_store(data_.path()).put("meta", "format_version", "2");
    const auto started =
        run("serve --port 0 --processes " + processes_.str() + " --data " + data_.str());
    EXPECT_NE(started.status, 0) << started.output;
    EXPECT_NE(started.output.find("format version"), std::string::npos) << started.output;
    EXPECT_EQ(raw_store(data_.path()).get("meta", "format_version"), "2");
    const auto checked = run(check());
    EXPECT_EQ(checked.status, 1) << checked.output;
    EXPECT_NE(checked.output.find("format version is 2"), std::string::npos) << checked.output;
}

// A torn write at the WAL's end (a crash in the middle of an unacknowledged batch): everything
// acknowledged before it is there, and the store checks clean.
TEST_F(DamagedStoreTest, ATornWalTailLosesNothingAcknowledged) {
    std::vector<std::string> ids;
    {
        test::server_process server(processes_.str(), data_.str(), {"--executors", "0"});
        test::http_session session(server.port());
        for (int i = 0; i < 20; ++i) {
            const auto res = session.request("POST", "/ws/simple/createThing", "{}");
            ASSERT_EQ(res.status, 202) << res.body;
            ids.emplace_back(boost::json::parse(res.body).at("execution_id").as_string());
        }
        server.kill9();
    }
    std::filesystem::path newest;
    for (const auto& entry : std::filesystem::directory_iterator(data_.path() / "db")) {
        if (entry.path().extension() == ".log" &&
            (newest.empty() || entry.path().filename() > newest.filename())) {
            newest = entry.path();
        }
    }
    ASSERT_FALSE(newest.empty()) << "no WAL file in " << (data_.path() / "db");
    {
        // The start of a record header with a length that runs past the file's end.
        std::ofstream wal(newest, std::ios::binary | std::ios::app);
        wal << std::string("\x12\x34\x56\x78\xff\x7f\x01", 7) << std::string(100, '\xab');
    }
    test::server_process server(processes_.str(), data_.str());
    for (const auto& id : ids) {
        EXPECT_EQ(test::wait_finished(server.port(), id).at("state").as_string(), "succeeded")
            << id;
    }
    EXPECT_EQ(server.stop(), 0);
    const auto checked = run(check());
    EXPECT_EQ(checked.status, 0) << checked.output;
}

TEST_F(DamagedStoreTest, CheckSaysWhenThereIsNoStore) {
    const auto checked = run(check());
    EXPECT_EQ(checked.status, 1) << checked.output;
    EXPECT_NE(checked.output.find("there is no store"), std::string::npos) << checked.output;
}

}  // namespace
}  // namespace ferry
