// Tile planning (tile_plan.h): tiles cover the frame once, with margins of half the overlap.
#include "testutil.h"
#include "tile_plan.h"

namespace mobilevsr_test {
namespace {

MOBILEVSR_TEST(TestTilePlan) {
  const auto split = mobilevsr::SplitAxis(540, 180, 16);
  Check(split.starts.front() == 0 && split.starts.back() == 360, "tiles reach both edges");
  bool covers = split.keep_begin.front() == 0 && split.keep_end.back() == 540;
  for (size_t i = 1; i < split.starts.size(); ++i) {
    covers = covers && split.keep_begin[i] == split.keep_end[i - 1];
    covers = covers && split.starts[i] < split.starts[i - 1] + 180 - 16 + 1;           // overlap >= 16
    covers = covers && split.keep_begin[i] - split.starts[i] >= 8;                     // margin inside tile i
    covers = covers && split.starts[i - 1] + 180 - split.keep_end[i - 1] >= 8;          // margin inside tile i-1
  }
  Check(covers, "kept regions partition the axis with margins of half the overlap");
  Check(mobilevsr::SplitAxis(100, 180, 16).starts.size() == 1, "short axis: one padded tile");
  const auto plan = mobilevsr::PlanTiles(1080, 1920, 320, 180, 16, false);
  Check(plan.strategy == "tile" && plan.tiles.size() == static_cast<size_t>(plan.rows * plan.cols), "tile plan grid");
  Check(mobilevsr::PlanTiles(180, 320, 180, 320, 16, false).strategy == "native", "exact fit is native");
  Check(mobilevsr::PlanTiles(100, 90, 180, 320, 16, false).strategy == "pad", "smaller frame is padded");
}

}  // namespace
}  // namespace mobilevsr_test
