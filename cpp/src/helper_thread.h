// One thread kept to split memory-bound loops in two (an HR frame conversion): starting a thread per frame cost
// ~50 us here (spawn + join), waking a waiting one a fraction of that.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace mobilevsr {

class HelperThread {
 public:
  HelperThread();
  ~HelperThread();  // stops and joins the thread
  HelperThread(const HelperThread&) = delete;
  HelperThread& operator=(const HelperThread&) = delete;

  // Runs `theirs` on the helper while the caller runs `ours`; returns when both are done. An exception from either
  // is rethrown here (the caller's first). Not reentrant: one caller at a time.
  void RunAlongside(const std::function<void()>& theirs, const std::function<void()>& ours);

 private:
  void Loop();
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void()>* task_ = nullptr;
  bool busy_ = false, stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace mobilevsr
