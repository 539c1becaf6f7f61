// The shared harness of the core's C++ unit tests (one file per unit, one executable): checks that count and print
// what failed, a registry the test files add their tests to, and small builders several units use.
#pragma once

#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tensor_info.h"

namespace mobilevsr_test {

struct Counts {
  int passed = 0, failed = 0;
};
inline Counts& counts() {
  static Counts c;
  return c;
}

// --sampled (for runs under emulation, where dense sweeps take minutes): sweeps check a sample.
inline bool& sampled_sweep() {
  static bool sampled = false;
  return sampled;
}

inline void Check(bool ok, const std::string& what) {
  if (ok) {
    ++counts().passed;
  } else {
    ++counts().failed;
    std::printf("FAILED: %s\n", what.c_str());
  }
}

// One check: `fn` throws an E whose message contains `needle`.
template <typename E>
void CheckThrows(const std::function<void()>& fn, const std::string& what, const std::string& needle = "") {
  try {
    fn();
    Check(false, what + " (no exception)");
  } catch (const E& e) {
    Check(needle.empty() || std::string(e.what()).find(needle) != std::string::npos,
          what + " (message: " + e.what() + ")");
  } catch (const std::exception& e) {
    Check(false, what + " (wrong exception: " + e.what() + ")");
  }
}

// Tests in the order their files are linked (cpp/CMakeLists.txt), each file's in its own order.
using TestFunction = void (*)();
inline std::vector<std::pair<const char*, TestFunction>>& registry() {
  static std::vector<std::pair<const char*, TestFunction>> tests;
  return tests;
}
struct Registration {
  Registration(const char* name, TestFunction fn) { registry().emplace_back(name, fn); }
};

// A model tensor description (no model needed).
inline mobilevsr::TensorInfo Tensor(const std::string& name, std::vector<int> shape,
                                    mobilevsr::DType dtype = mobilevsr::DType::kFloat32) {
  mobilevsr::TensorInfo t;
  t.name = name;
  t.shape = std::move(shape);
  t.dtype = dtype;
  t.dtype_name = dtype == mobilevsr::DType::kFloat32 ? "float32" : "uint8";
  return t;
}

}  // namespace mobilevsr_test

// Defines a test function and registers it: MOBILEVSR_TEST(JsonParsing) { Check(...); }
#define MOBILEVSR_TEST(name)                                                      \
  void name();                                                                    \
  const ::mobilevsr_test::Registration name##_registration(#name, name);          \
  void name()
