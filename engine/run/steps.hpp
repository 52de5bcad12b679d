#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ferry/engine/run/runner.hpp"
#include "ferry/profiles/element.hpp"

namespace ferry::engine {

/// What every step sees of the execution it runs in.
struct step_context {
    const process& p;
    const store::execution_record& execution;
    const run_settings& settings;
    store::properties& process_props;  // per execution; set_properties changes them
};

/// What a document-transforming step did: documents it passes on, and documents that failed
/// with their error.
struct step_output {
    std::vector<working_document> passed;
    std::vector<std::pair<working_document, std::string>> failed;
};

/// A variable's or template's value, or why the document cannot have one (an element value
/// that is not what its profile says).
using value_result = boost::system::result<std::string, std::string>;

/// A variable's value for document `d`. Element variables read `source` when given (a map's
/// current source element, or the document parsed once by the caller), else the document
/// parsed as XML or JSON ("" when absent or when the document is neither).
value_result evaluate(const variable& v, const working_document& d, const step_context& ctx,
                      const profiles::element* source = nullptr);
value_result render(const message_template& t, const working_document& d, const step_context& ctx,
                    const profiles::element* source = nullptr);
/// The document parsed for `variables`, when one of them reads elements and it parses.
std::optional<profiles::element> parse_for(const std::vector<variable>& variables,
                                           const working_document& d);

// Steps that transform documents: one file each in run/steps/, given the documents and the
// execution's context.
step_output run_step(const message_step& step, std::vector<working_document> in, step_context& ctx);
step_output run_step(const set_properties_step& step, std::vector<working_document> in,
                     step_context& ctx);
step_output run_step(const split_step& step, std::vector<working_document> in, step_context& ctx);
step_output run_step(const combine_step& step, std::vector<working_document> in, step_context& ctx);
step_output run_step(const file_write_step& step, std::vector<working_document> in,
                     step_context& ctx);
step_output run_step(const map_step& step, std::vector<working_document> in, step_context& ctx);

// Steps that may wait return an awaitable: the run suspends on them and its thread is free
// meanwhile. http_call waits on its partner and between attempts; the steps that open paths
// wait whenever a step on one of their paths does (try_catch also between attempts).
boost::asio::awaitable<step_output> run_step(const http_call_step& step,
                                             std::vector<working_document> in, step_context& ctx);

// Steps that open paths or act on the run itself (run/run_state.hpp): one file each in
// run/steps/, reporting through their step_run.
struct step_run;
boost::asio::awaitable<void> run_step(const branch_step& step, std::vector<working_document> in,
                                      step_run& call);
boost::asio::awaitable<void> run_step(const decision_step& step, std::vector<working_document> in,
                                      step_run& call);
boost::asio::awaitable<void> run_step(const route_step& step, std::vector<working_document> in,
                                      step_run& call);
boost::asio::awaitable<void> run_step(const try_catch_step& step, std::vector<working_document> in,
                                      step_run& call);
boost::asio::awaitable<void> run_step(const process_call_step& step,
                                      std::vector<working_document> in, step_run& call);
void run_step(const return_step& step, std::vector<working_document> in, step_run& call);
void run_step(const stop_step& step, std::vector<working_document> in, step_run& call);
void run_step(const exception_step& step, std::vector<working_document> in, step_run& call);
void run_step(const queue_send_step& step, std::vector<working_document> in, step_run& call);

/// Decision semantics: numbers compare as numbers when both sides are numbers, text compares
/// byte-wise otherwise; an absent value is the empty string.
bool compare(std::string_view left, comparison op, std::string_view right);
/// Typed decision semantics: both values read as the shapes of a step profile's elements
/// (numbers by value, dates through their masks, strings byte-wise). An empty value is absent
/// and compares as text. Fails when a value does not read as its shape.
boost::system::result<bool, std::string> compare(std::string_view left, comparison op,
                                                 std::string_view right,
                                                 const profiles::value_shape& left_shape,
                                                 const profiles::value_shape& right_shape);

}  // namespace ferry::engine
