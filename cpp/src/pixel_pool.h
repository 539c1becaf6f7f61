// HR frame memory: 64-byte aligned (LiteRT may write a model output straight into it) and recycled. A chunked model
// hands out 10 frames per run; freed one by one, they would go back to the OS and every new frame would fault its
// pages in again (~590 page faults per 720x1280 frame measured for MAI21). Returned frames come back to the pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace mobilevsr {

class PixelPool;

// Gives a frame's memory back to its pool (or frees it when the pool is gone or full).
struct PixelRelease {
  std::shared_ptr<PixelPool> pool;
  size_t bytes = 0;
  void operator()(uint8_t* memory) const;
};
using PixelBuffer = std::unique_ptr<uint8_t[], PixelRelease>;

class PixelPool : public std::enable_shared_from_this<PixelPool> {
 public:
  static constexpr size_t kAlignment = 64;
  // Keeps at most `max_buffers` free buffers and `max_bytes` in them; buffers of another size are freed.
  static std::shared_ptr<PixelPool> Create(size_t max_buffers, size_t max_bytes);
  ~PixelPool();
  PixelPool(const PixelPool&) = delete;
  PixelPool& operator=(const PixelPool&) = delete;

  PixelBuffer Take(size_t bytes);  // throws std::bad_alloc
  void Give(uint8_t* memory, size_t bytes);
  size_t free_buffers() const;

 private:
  PixelPool(size_t max_buffers, size_t max_bytes) : max_buffers_(max_buffers), max_bytes_(max_bytes) {}
  mutable std::mutex mutex_;
  std::vector<uint8_t*> free_;  // all of free_bytes_ each
  size_t free_bytes_ = 0;
  size_t max_buffers_, max_bytes_;
};

}  // namespace mobilevsr
