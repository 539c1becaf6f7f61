// HR frame memory (pixel_pool.h): aligned, recycled, bounded, alive while a frame is.
#include <cstdint>
#include <memory>

#include "pixel_pool.h"
#include "testutil.h"

namespace mobilevsr_test {
namespace {

MOBILEVSR_TEST(TestPixelPool) {
  auto pool = mobilevsr::PixelPool::Create(2, size_t{1} << 20);
  uint8_t* first = nullptr;
  {
    auto a = pool->Take(1000);
    first = a.get();
    Check(reinterpret_cast<uintptr_t>(first) % 64 == 0, "pooled pixels are 64-byte aligned");
  }
  Check(pool->free_buffers() == 1, "a dropped frame goes back to the pool");
  {
    auto again = pool->Take(1000);
    Check(again.get() == first && pool->free_buffers() == 0, "the next frame of that size reuses it");
  }
  {
    auto b = pool->Take(1000), c = pool->Take(1000), d = pool->Take(1000);
  }
  Check(pool->free_buffers() == 2, "at most max_buffers are kept");  // (c and d back; b beyond the limit)
  { auto big = pool->Take(600000); }
  Check(pool->free_buffers() == 1, "a new size drops the old buffers");
  { auto a = pool->Take(600000), b = pool->Take(600000); }
  Check(pool->free_buffers() == 1, "at most max_bytes are kept");
  std::weak_ptr<mobilevsr::PixelPool> alive = pool;
  {
    auto outliving = pool->Take(600000);
    pool.reset();
    Check(!alive.expired(), "a frame keeps its pool alive");
  }
  Check(alive.expired(), "the pool goes with its last frame");
}

}  // namespace
}  // namespace mobilevsr_test
