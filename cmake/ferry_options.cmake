# Warnings, sanitizers and ccache for every ferry target.
option(FERRY_WERROR "Treat warnings as errors" OFF)
option(FERRY_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(FERRY_TSAN "Build with ThreadSanitizer" OFF)
# The fuzz preset: every target compiled with libFuzzer's coverage instrumentation (clang only),
# so that one ASan+UBSan build runs the test suites and links the fuzz targets (tests/fuzz/).
option(FERRY_FUZZ "Instrument for libFuzzer and link the fuzz targets with it (clang)" OFF)
if(FERRY_SANITIZE AND FERRY_TSAN)
    message(FATAL_ERROR "FERRY_SANITIZE (ASan) and FERRY_TSAN cannot be combined")
endif()

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

set(FERRY_WARNINGS -Wall -Wextra -Wpedantic)
# GCC 12 reports a false -Wrestrict on `"literal" + std::string` at -O2 (GCC bug 105329).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    list(APPEND FERRY_WARNINGS -Wno-restrict)
endif()
if(FERRY_WERROR)
    list(APPEND FERRY_WARNINGS -Werror)
endif()

if(FERRY_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
if(FERRY_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "FERRY_FUZZ needs clang (the fuzz preset uses clang++-14)")
    endif()
    # -fno-sanitize=function: clang 14 cannot emit that check's prologue data for coroutines
    # instrumented for coverage ("Cannot represent a difference across sections"); UBSan's
    # other checks stay.
    add_compile_options(-fsanitize=fuzzer-no-link -fno-sanitize=function)
endif()
if(FERRY_TSAN)
    # -Wno-tsan: GCC notes that TSan does not model atomic_thread_fence (Asio's fenced blocks).
    add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
    add_link_options(-fsanitize=thread)
endif()

# Asio and Beast are compiled once, in one translation unit each (see engine/transport and
# ingress), instead of in every file that includes them.
add_compile_definitions(BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
                        BOOST_ASIO_NO_DEPRECATED)

# glibc's malloc takes a slow path for the 1-8 KB buffers every request allocates (bodies,
# documents, messages); tcmalloc serves them from per-thread caches (+5% requests/s measured
# with tools/bench). Not with sanitizers, which bring their own allocator.
option(FERRY_TCMALLOC "Link the ferry executable with tcmalloc_minimal" ON)
if(FERRY_TCMALLOC AND NOT FERRY_SANITIZE AND NOT FERRY_TSAN)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(TCMALLOC REQUIRED IMPORTED_TARGET libtcmalloc_minimal)
endif()
