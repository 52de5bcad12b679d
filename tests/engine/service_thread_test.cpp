// The thread helper every component uses: a stop request ends a body that waits on a
// condition variable (no notify needed), stop() joins, and a group starts and stops together.
#include "ferry/threads/service_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>

#include "support/eventually.hpp"

namespace ferry::threads {
namespace {

TEST(ServiceThread, AStopRequestEndsAWaitAndStopJoins) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::atomic<bool> waiting{false}, returned{false};
    service_thread t;
    EXPECT_FALSE(t.running());
    t.start("ferry-test", [&](std::stop_token stop) {
        std::unique_lock lock(mutex);
        waiting = true;
        // Waits for nothing but the stop request.
        wake.wait(lock, stop, [] { return false; });
        returned = true;
    });
    EXPECT_TRUE(t.running());
    ASSERT_TRUE(test::eventually([&] { return waiting.load(); }));
    t.stop();
    EXPECT_TRUE(returned);
    EXPECT_FALSE(t.running());
    t.stop();  // a second stop does nothing
}

TEST(ServiceThread, TheThreadCarriesItsName) {
    std::atomic<bool> named{false};
    service_thread t;
    t.start("ferry-named", [&](std::stop_token stop) {
        char name[16] = {};
        pthread_getname_np(pthread_self(), name, sizeof name);
        named = std::string(name) == "ferry-named";
        while (!stop.stop_requested()) std::this_thread::yield();
    });
    ASSERT_TRUE(test::eventually([&] { return named.load(); }));
}

TEST(ServiceThreads, EveryThreadGetsItsIndexAndAllStop) {
    std::atomic<int> started{0}, index_sum{0}, ended{0};
    service_threads group;
    group.start(4, "ferry-group", [&](std::size_t index, const std::stop_token& stop) {
        index_sum += static_cast<int>(index);
        ++started;
        while (!stop.stop_requested()) std::this_thread::yield();
        ++ended;
    });
    EXPECT_EQ(group.size(), 4u);
    ASSERT_TRUE(test::eventually([&] { return started.load() == 4; }));
    EXPECT_EQ(index_sum.load(), 0 + 1 + 2 + 3);
    group.stop();
    EXPECT_EQ(ended.load(), 4);
    EXPECT_EQ(group.size(), 0u);
}

}  // namespace
}  // namespace ferry::threads
