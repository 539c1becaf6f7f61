// Capturing and condensing what native libraries print (native_output.h).
#include <cstdio>
#include <cstring>
#include <string>

#include <unistd.h>

#include "native_output.h"
#include "testutil.h"

namespace mobilevsr_test {
namespace {

MOBILEVSR_TEST(TestNativeOutput) {
  using mobilevsr::NativeOutputCapture;
  std::string outer_text, inner_text, disabled_text;
  bool wrote = false;
  {
    NativeOutputCapture outer;
    std::fprintf(stderr, "outer stderr\n");
    {
      NativeOutputCapture inner;
      std::printf("inner stdout\n");  // buffered stdio: Take() flushes it into the capture
      const char raw[] = "inner raw fd 2\n";
      wrote = write(STDERR_FILENO, raw, sizeof raw - 1) == static_cast<ssize_t>(sizeof raw - 1);
      inner_text = inner.Take();
    }
    std::fprintf(stderr, "outer again\n");
    outer_text = outer.Take();
    NativeOutputCapture disabled(false);
    disabled_text = disabled.Take();
  }
  Check(wrote, "write to fd 2");  // Check() prints: only once nothing is captured
  // Both, in the order they reached the descriptors (stdio's buffered line arrives when Take() flushes it).
  Check(inner_text.size() == std::strlen("inner stdout\ninner raw fd 2\n") &&
            inner_text.find("inner stdout\n") != std::string::npos &&
            inner_text.find("inner raw fd 2\n") != std::string::npos,
        "inner capture holds stdout and stderr: " + inner_text);
  Check(outer_text == "outer stderr\nouter again\n", "outer capture skips the nested one: " + outer_text);
  Check(disabled_text.empty(), "a disabled capture takes nothing");

  // What LiteRT's WebGPU accelerator, Dawn and the Vulkan loader print on a machine without a Vulkan driver.
  const std::string log =
      "Warning: vkCreateInstance: Found no drivers!\n"
      "    at CheckVkSuccessImpl (third_party/dawn/src/dawn/native/vulkan/VulkanError.cpp:106)\n\n"
      "ERROR: [delegate_webgpu.cc:359] Failed to initialize WebGPU environment: INTERNAL: No adapters found\n"
      "WARNING: Logging before InitGoogle() is written to STDERR\n"
      "E0000 00:00:1796102324.450803   12157 delegate_webgpu.cc:736] Failed to get or create delegate\n"
      "=== Source Location Trace: ===\n"
      "third_party/odml/litert/ml_drift/delegate/delegate_webgpu.cc:432\n"
      "I0000 00:00:1796102331.759954   12203 environment.cc:532] Selected adapter: SwiftShader\n"
      "ERROR: [delegate_webgpu.cc:359] Failed to initialize WebGPU environment: INTERNAL: No adapters found\n"
      "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n";
  const std::string condensed = mobilevsr::CondenseNativeLog(log);
  Check(condensed == "Warning: vkCreateInstance: Found no drivers!; Failed to initialize WebGPU environment: INTERNAL: "
                     "No adapters found; Failed to get or create delegate",
        "condensed native log: " + condensed);
  Check(mobilevsr::CondenseNativeLog("INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n").empty(),
        "an INFO-only log condenses to nothing");
}

}  // namespace
}  // namespace mobilevsr_test
