#pragma once

#include <ferry/profiles/validation.hpp>
#include <memory>
#include <vector>

namespace ferry::fuzz {

/// The profiles of examples/ (*.profile.yaml), read and compiled once: what the targets that
/// check documents against a profile check them against.
const std::vector<std::shared_ptr<const profiles::validator>>& example_profiles();

}  // namespace ferry::fuzz
