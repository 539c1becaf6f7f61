// An HR frame as the Upscaler hands it out.
#pragma once

#include "pixel_pool.h"

namespace mobilevsr {

// height x width x 3 bytes, RGB, in memory that goes back to its pool when dropped.
struct HrFrame {
  PixelBuffer pixels;
  int height = 0;
  int width = 0;
};

}  // namespace mobilevsr
