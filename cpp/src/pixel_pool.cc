#include "pixel_pool.h"

#include <cstdlib>
#include <new>

namespace mobilevsr {
namespace {

size_t Rounded(size_t bytes) {
  const size_t a = PixelPool::kAlignment;
  return bytes == 0 ? a : (bytes + a - 1) / a * a;
}

}  // namespace

void PixelRelease::operator()(uint8_t* memory) const {
  if (memory == nullptr) return;
  if (pool) pool->Give(memory, bytes);
  else std::free(memory);
}

std::shared_ptr<PixelPool> PixelPool::Create(size_t max_buffers, size_t max_bytes) {
  return std::shared_ptr<PixelPool>(new PixelPool(max_buffers, max_bytes));
}

PixelPool::~PixelPool() {
  for (uint8_t* memory : free_) std::free(memory);
}

PixelBuffer PixelPool::Take(size_t bytes) {
  const size_t size = Rounded(bytes);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty() && free_bytes_ == size) {
      uint8_t* memory = free_.back();
      free_.pop_back();
      return PixelBuffer(memory, PixelRelease{shared_from_this(), size});
    }
  }
  // posix_memalign, not std::aligned_alloc: Android's libc has aligned_alloc only from API 28 (minSdk is 26).
  void* memory = nullptr;
  if (posix_memalign(&memory, kAlignment, size) != 0) throw std::bad_alloc();
  return PixelBuffer(static_cast<uint8_t*>(memory), PixelRelease{shared_from_this(), size});
}

void PixelPool::Give(uint8_t* memory, size_t bytes) {
  std::vector<uint8_t*> stale;  // freed outside the lock
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (bytes != free_bytes_) {  // a new frame size: the old buffers will not be taken again
      stale.swap(free_);
      free_bytes_ = bytes;
    }
    if (free_.size() < max_buffers_ && (free_.size() + 1) * bytes <= max_bytes_) {
      free_.push_back(memory);
      memory = nullptr;
    }
  }
  for (uint8_t* old : stale) std::free(old);
  std::free(memory);
}

size_t PixelPool::free_buffers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return free_.size();
}

}  // namespace mobilevsr
