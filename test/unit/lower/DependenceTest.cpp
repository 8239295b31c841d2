//===- test/unit/lower/DependenceTest.cpp - lower/Dependence ---------------===//
//
// What a launch reads and writes comes from its kernel's body, through the
// launch's arguments; the schedule fuses a population's reset into its
// update exactly when no launch between them touches what the reset uses.
//
//===----------------------------------------------------------------------===//
#include "ProgramLookup.h"
#include "TestNetwork.h"

#include "lower/Dependence.h"
#include "lower/Schedule.h"

#include <gtest/gtest.h>

namespace snn::test {
namespace {

using lower::Program;

/// The index in `step` of the launch of kernel `kernel` for `what`, or -1.
int launch_index(const Program &p, const std::string &kernel, const std::string &what) {
  const lower::EntryPoint &step = p.entry("step");
  for (size_t i = 0; i < step.launches.size(); ++i)
    if (p.kernels[size_t(step.launches[i].kernel)].name == kernel && step.launches[i].what == what)
      return int(i);
  return -1;
}

TEST(Dependence, LaunchAccessFollowsTheKernelBody) {
  Program p = lower::schedule(test_network(), lower::ScheduleOptions{});
  const lower::EntryPoint &step = p.entry("step");
  int deliver = launch_index(p, "deliver", "projection relay -> exc.i");
  ASSERT_GE(deliver, 0);
  lower::BufferAccess d = lower::launch_access(p, step.launches[size_t(deliver)]);
  for (const char *read :
       {"relay.spiked", "relay -> exc.i.row_start", "relay -> exc.i.target", "relay -> exc.i.weight"})
    EXPECT_TRUE(d.reads.count(buffer_named(p, read))) << read;
  EXPECT_EQ(d.writes, std::set<int>{buffer_named(p, "exc.i")});

  // exc -> exc.v writes v, which the reset writes: the reset stays after
  // the deliveries, and reads only its flags and v (not the input i).
  int reset = launch_index(p, "reset.Leaky", "population exc");
  int update = launch_index(p, "update.Leaky", "population exc");
  ASSERT_GE(reset, 0);
  ASSERT_GE(update, 0);
  lower::BufferAccess r = lower::launch_access(p, step.launches[size_t(reset)]);
  EXPECT_EQ(r.reads, (std::set<int>{buffer_named(p, "exc.spiked"), buffer_named(p, "exc.v")}));
  EXPECT_EQ(r.writes, std::set<int>{buffer_named(p, "exc.v")});
  EXPECT_FALSE(lower::can_run_earlier(p, step, size_t(update), size_t(reset)));
  // Nothing stands between a launch and the next one.
  EXPECT_TRUE(lower::can_run_earlier(p, step, size_t(reset - 1), size_t(reset)));
}

TEST(Dependence, ResetFusesWhenNothingBetweenTouchesItsState) {
  ir::Module m = test_network();
  m.network.projections[1].target = "i"; // exc -> exc.i instead of exc.v
  m.network.projections[1].target_kind = ir::TargetKind::Input;
  Program p = lower::schedule(m, lower::ScheduleOptions{});
  EXPECT_GE(launch_index(p, "update_reset.Leaky", "population exc"), 0);
  EXPECT_EQ(launch_index(p, "reset.Leaky", "population exc"), -1);
  EXPECT_EQ(launch_index(p, "update.Leaky", "population exc"), -1);
  // The unfused kernels are gone from the Program, not just unlaunched.
  for (const lower::Kernel &k : p.kernels)
    EXPECT_TRUE(k.name != "reset.Leaky" && k.name != "update.Leaky") << k.name;
}

} // namespace
} // namespace snn::test
