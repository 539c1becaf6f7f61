// Runs every registered unit test of the core (testutil.h) and prints "N passed, M failed". Built by
// cpp/CMakeLists.txt (MOBILEVSR_BUILD_TESTS) as mobilevsr_core_tests; run by ctest, tests/core/test_cpp_unit.py and,
// cross-built, tests/arm/test_arm_core_unit.py.
#include <cstdio>
#include <cstring>

#include "pixel_convert.h"
#include "testutil.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--sampled") == 0) {
      mobilevsr_test::sampled_sweep() = true;
    } else {
      std::printf("usage: %s [--sampled]\n", argv[0]);
      return 2;
    }
  }
  std::printf("pixel conversion path: %s\n", mobilevsr::PixelConversionIsa());
  for (const auto& [name, test] : mobilevsr_test::registry()) {
    const int failed_before = mobilevsr_test::counts().failed;
    test();
    if (mobilevsr_test::counts().failed != failed_before) std::printf("  in %s\n", name);
  }
  std::printf("%d passed, %d failed\n", mobilevsr_test::counts().passed, mobilevsr_test::counts().failed);
  return mobilevsr_test::counts().failed == 0 ? 0 : 1;
}
