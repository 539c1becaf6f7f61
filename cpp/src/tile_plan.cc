#include "tile_plan.h"

#include <algorithm>
#include <cmath>

namespace mobilevsr {

AxisSplit SplitAxis(int length, int tile, int overlap) {
  AxisSplit split;
  if (length <= tile) {
    split.starts = {0};
    split.keep_begin = {0};
    split.keep_end = {length};
    return split;
  }
  overlap = std::min(overlap, tile / 2);  // more would leave no room to advance
  const int step = std::max(1, tile - overlap);
  const int count = (length - tile + step - 1) / step + 1;
  for (int i = 0; i < count; ++i)
    split.starts.push_back(static_cast<int>(std::lround(static_cast<double>(i) * (length - tile) / (count - 1))));
  split.keep_begin.push_back(0);
  for (int i = 1; i < count; ++i) {
    const int cut = (split.starts[i] + split.starts[i - 1] + tile) / 2;  // middle of the overlap
    split.keep_end.push_back(cut);
    split.keep_begin.push_back(cut);
  }
  split.keep_end.push_back(length);
  return split;
}

TilePlan PlanTiles(int frame_height, int frame_width, int tile_height, int tile_width, int overlap, bool transpose) {
  TilePlan plan;
  plan.transpose = transpose;
  plan.frame_height = frame_height;
  plan.frame_width = frame_width;
  plan.tile_height = tile_height;
  plan.tile_width = tile_width;
  plan.overlap = overlap;
  const AxisSplit ys = SplitAxis(frame_height, tile_height, overlap);
  const AxisSplit xs = SplitAxis(frame_width, tile_width, overlap);
  plan.rows = static_cast<int>(ys.starts.size());
  plan.cols = static_cast<int>(xs.starts.size());
  for (int r = 0; r < plan.rows; ++r)
    for (int c = 0; c < plan.cols; ++c)
      plan.tiles.push_back({ys.starts[r], xs.starts[c], ys.keep_begin[r], ys.keep_end[r], xs.keep_begin[c],
                            xs.keep_end[c]});
  plan.strategy = plan.tiles.size() > 1 ? "tile" : (plan.whole_frame() ? "native" : "pad");
  return plan;
}

}  // namespace mobilevsr
