// How a clip's frames map onto the model's fixed input: the model's own size, resized inputs, padding, overlapping
// tiles, optionally on the transposed frame (a landscape clip through a portrait model).
#pragma once

#include <string>
#include <vector>

namespace mobilevsr {

struct Tile {
  int y0 = 0, x0 = 0;                  // top-left of the tile in (oriented) LR frame coordinates
  int keep_y0 = 0, keep_y1 = 0;        // LR rows of the frame this tile's output fills
  int keep_x0 = 0, keep_x1 = 0;        // LR columns likewise
};

struct TilePlan {
  std::string strategy = "native";     // native | resize | pad | tile
  bool transpose = false;              // frames are transposed in, outputs transposed back
  int frame_height = 0, frame_width = 0;  // oriented LR frame size
  int tile_height = 0, tile_width = 0;    // model input size used
  int overlap = 0;
  int rows = 1, cols = 1;
  std::vector<Tile> tiles;

  // Whether the single tile is exactly the frame (no cropping or padding needed on the input side).
  bool whole_frame() const {
    return tiles.size() == 1 && tile_height == frame_height && tile_width == frame_width;
  }
};

// Cuts positions along one axis of `length` pixels into tiles of `tile` pixels overlapping by >= `overlap`.
// Each tile keeps the part of the overlap nearest its own centre, so every pixel comes from exactly one tile.
// The overlap is clamped to half a tile.
struct AxisSplit {
  std::vector<int> starts, keep_begin, keep_end;
};
AxisSplit SplitAxis(int length, int tile, int overlap);

// Plans tiles (or padding, when a single tile covers the frame) for a frame on a model of fixed input size.
TilePlan PlanTiles(int frame_height, int frame_width, int tile_height, int tile_width, int overlap, bool transpose);

}  // namespace mobilevsr
