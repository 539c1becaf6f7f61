// Options (options.h): mode names and the one Validate() every face uses.
#include <string>

#include "errors.h"
#include "options.h"
#include "testutil.h"

namespace mobilevsr_test {
namespace {

template <typename Mode>
void CheckModeNames(const std::string& option) {
  for (Mode mode : mobilevsr::AllModes<Mode>())
    Check(mobilevsr::ParseMode<Mode>(mobilevsr::NameOf(mode)) == mode, option + " name round trip");
  CheckThrows<mobilevsr::InvalidArgument>([] { mobilevsr::ParseMode<Mode>("AUTO"); }, option + ": names are lower case",
              option + " must be \"auto\", ");
}

MOBILEVSR_TEST(TestOptions) {
  CheckModeNames<mobilevsr::Accelerator>("accelerator");
  CheckModeNames<mobilevsr::Fit>("fit");
  CheckModeNames<mobilevsr::TileBatch>("tile_batch");
  Check(mobilevsr::AllModes<mobilevsr::Fit>().size() == 3, "three fit modes");
  CheckThrows<mobilevsr::InvalidArgument>([] { mobilevsr::ParseMode<mobilevsr::Fit>("stretch"); }, "unknown fit",
              "fit must be \"auto\", \"resize\" or \"tile\", not \"stretch\"");

  mobilevsr::UpscalerOptions options;
  options.Validate();  // the defaults are valid
  Check(!options.num_threads && !options.tile_overlap && !options.pixel_range && options.allow_transpose &&
            options.fit == mobilevsr::Fit::kAuto && options.tile_batch == mobilevsr::TileBatch::kAuto,
        "option defaults");
  options.num_threads = 1;
  options.tile_overlap = 0;
  options.pixel_range = 255.0;
  options.Validate();  // the smallest allowed values
  auto with = [](auto change) {
    mobilevsr::UpscalerOptions bad;
    change(bad);
    return [bad] { bad.Validate(); };
  };
  CheckThrows<mobilevsr::InvalidArgument>(with([](auto& o) { o.num_threads = 0; }), "num_threads 0",
              "num_threads must be at least 1 (unset: the cores this process may use), got 0");
  CheckThrows<mobilevsr::InvalidArgument>(with([](auto& o) { o.tile_overlap = -1; }), "tile_overlap -1", "tile_overlap must be at least 0");
  CheckThrows<mobilevsr::InvalidArgument>(with([](auto& o) { o.pixel_range = 2.0; }), "pixel_range 2", "pixel_range must be 1.0 or 255.0");
  CheckThrows<mobilevsr::InvalidArgument>(with([](auto& o) { o.fit = static_cast<mobilevsr::Fit>(7); }), "a fit out of range", "fit");
  // The session part is checked by both structs' Validate().
  mobilevsr::SessionOptions session;
  session.num_threads = -2;
  CheckThrows<mobilevsr::InvalidArgument>([&] { session.Validate(); }, "session num_threads -2", "got -2");
}

}  // namespace
}  // namespace mobilevsr_test
