#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <vector>

#include "ferry/engine/runner.hpp"

namespace ferry::engine {

/// What every step sees of the execution it runs in.
struct step_context {
    const process& p;
    const store::execution_record& execution;
    const run_settings& settings;
};

using step_result = boost::system::result<std::vector<working_document>, std::string>;

std::string evaluate(const variable& v, const working_document& d, const step_context& ctx);
std::string render(const message_template& t, const working_document& d, const step_context& ctx);

step_result run_step(const message_step& step, std::vector<working_document> in,
                     const step_context& ctx);
step_result run_step(const file_write_step& step, std::vector<working_document> in,
                     const step_context& ctx);

}  // namespace ferry::engine
