// The conversion helper thread (helper_thread.h).
#include <stdexcept>
#include <string>
#include <vector>

#include "helper_thread.h"
#include "testutil.h"

namespace mobilevsr_test {
namespace {

MOBILEVSR_TEST(TestHelperThread) {
  mobilevsr::HelperThread helper;
  std::vector<int> halves(2, 0);
  for (int round = 1; round <= 50; ++round)
    helper.RunAlongside([&] { halves[1] += round; }, [&] { halves[0] += round; });
  Check(halves[0] == 1275 && halves[1] == 1275, "helper thread runs its half every time, done on return");
  bool caught = false;
  try {
    helper.RunAlongside([] { throw std::runtime_error("helper failed"); }, [] {});
  } catch (const std::runtime_error& e) {
    caught = std::string(e.what()) == "helper failed";
  }
  Check(caught, "an exception on the helper reaches the caller");
  int after = 0;
  helper.RunAlongside([&] { after = 1; }, [] {});
  Check(after == 1, "the helper keeps working after an exception");
}

}  // namespace
}  // namespace mobilevsr_test
