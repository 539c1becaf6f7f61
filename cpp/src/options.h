// The options of a Session and an Upscaler, defined once for every face: the Python binding binds these fields one
// by one, the JNI bridge reads the Java Options object field by field, and Validate() is the one check they all run,
// so the same bad value gives the same error text from Python, Java and C++.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mobilevsr {

// Where the model runs: "auto" tries the GPU and falls back to the CPU, "gpu" fails instead of falling back.
enum class Accelerator { kAuto, kGpu, kCpu };
// Frames of another size than the model's: "auto" resizes the inputs when the graph allows it, else pads or tiles;
// "resize" only resizes (an error otherwise); "tile" never resizes (pads or tiles at the model size).
enum class Fit { kAuto, kResize, kTile };
// Tiles of one frame run as one batch or one after another: "auto" measures both once per frame size and keeps the
// faster, "on" batches whenever the graph allows it, "off" never batches.
enum class TileBatch { kAuto, kOn, kOff };

// A mode's name as every face spells it ("auto", "gpu", ...; Java's enums and Python's strings use these).
const char* NameOf(Accelerator mode);
const char* NameOf(Fit mode);
const char* NameOf(TileBatch mode);
// Every value of a mode, in order (faces build their enums from it: Python's members are the names upper-cased).
template <typename Mode>
std::vector<Mode> AllModes();
// A name back to its mode; anything else throws InvalidArgument: `fit must be "auto", "resize" or "tile", not "x"`.
template <typename Mode>
Mode ParseMode(const std::string& name);

struct SessionOptions {
  std::string litert_library;  // path of libLiteRt.so or the folder holding it (with its GPU plugin)
  Accelerator accelerator = Accelerator::kAuto;
  std::optional<int> num_threads;  // CPU threads (>= 1); unset: the cores this process may use
  bool verbose = false;            // LiteRT's INFO logging and what the GPU stack prints (else captured)
  // Compile with LiteRT's profiler on and record every run (Session::profile()). The session throws RuntimeError
  // when the LiteRT library has no profiler C API.
  bool profile = false;
  // Compile and run the model once in a forked child first, so a file that crashes LiteRT is reported instead of
  // taking the caller down (crash_probe.h). C++ only: every face keeps it on; the ARM stream runner turns it off
  // under emulation, where a trusted model's extra run costs minutes.
  bool probe_in_child = true;

  // Throws InvalidArgument naming the first bad field, its value and what it may be.
  void Validate() const;
};

// An Upscaler's options: a session's plus how the model is driven and how frames of other sizes are fitted.
struct UpscalerOptions : SessionOptions {
  std::string contract_json;          // empty: the model's embedded contract, else a recognised public layout
  std::optional<double> pixel_range;  // 1.0 or 255.0: overrides the contract's pixel range
  // LR pixels shared by neighbouring tiles (>= 0; models that cannot be resized). Unset: automatic, max(2 * ceil(r), 2)
  // for the model's per-frame receptive-field radius r when it can be computed from the graph (receptive_field.h),
  // else kDefaultTileOverlap (16). A value is used as given.
  std::optional<int> tile_overlap;
  bool allow_transpose = true;  // may run a landscape clip through a portrait model transposed, and back
  Fit fit = Fit::kAuto;
  TileBatch tile_batch = TileBatch::kAuto;

  void Validate() const;  // SessionOptions::Validate() and this struct's own fields
};

// `options` once Validate() passed: constructors check their options first, in their member initialiser lists, so a
// bad option is reported as such whatever the files are.
template <typename Options>
const Options& Validated(const Options& options) {
  options.Validate();
  return options;
}

}  // namespace mobilevsr
