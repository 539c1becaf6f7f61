#include "helper_thread.h"

namespace mobilevsr {

HelperThread::HelperThread() : thread_([this] { Loop(); }) {}

HelperThread::~HelperThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void HelperThread::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || task_ != nullptr; });
    if (stop_) return;
    const std::function<void()>* task = task_;
    lock.unlock();
    std::exception_ptr error;
    try {
      (*task)();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    task_ = nullptr;
    error_ = error;
    busy_ = false;
    done_.notify_one();
  }
}

void HelperThread::RunAlongside(const std::function<void()>& theirs, const std::function<void()>& ours) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &theirs;
    busy_ = true;
    error_ = nullptr;
  }
  wake_.notify_one();
  std::exception_ptr own_error;
  try {
    ours();
  } catch (...) {
    own_error = std::current_exception();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return !busy_; });  // `theirs` must not outlive this call
  if (own_error) std::rethrow_exception(own_error);
  if (error_) std::rethrow_exception(error_);
}

}  // namespace mobilevsr
