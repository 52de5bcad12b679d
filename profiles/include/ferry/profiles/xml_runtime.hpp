#pragma once

namespace ferry::profiles {

/// Xerces-C++ needs one Initialize/Terminate pair per process, with every parser released
/// before Terminate. Create one xml_runtime in main (or a test's main) before any XML work.
/// Not thread-safe to construct; XML parsing afterwards is safe from any thread.
class xml_runtime {
public:
    xml_runtime();
    ~xml_runtime();
    xml_runtime(const xml_runtime&) = delete;
    xml_runtime& operator=(const xml_runtime&) = delete;
};

}  // namespace ferry::profiles
