#include "options.h"

#include <cstdio>
#include <utility>

#include "errors.h"

namespace mobilevsr {
namespace {

// Each mode's option name and its {mode, name} table, in the order error messages list them.
template <typename Mode>
struct ModeTable;

template <>
struct ModeTable<Accelerator> {
  static constexpr const char* kOption = "accelerator";
  static constexpr std::pair<Accelerator, const char*> kNames[] = {
      {Accelerator::kAuto, "auto"}, {Accelerator::kGpu, "gpu"}, {Accelerator::kCpu, "cpu"}};
};

template <>
struct ModeTable<Fit> {
  static constexpr const char* kOption = "fit";
  static constexpr std::pair<Fit, const char*> kNames[] = {
      {Fit::kAuto, "auto"}, {Fit::kResize, "resize"}, {Fit::kTile, "tile"}};
};

template <>
struct ModeTable<TileBatch> {
  static constexpr const char* kOption = "tile_batch";
  static constexpr std::pair<TileBatch, const char*> kNames[] = {
      {TileBatch::kAuto, "auto"}, {TileBatch::kOn, "on"}, {TileBatch::kOff, "off"}};
};

template <typename Mode>
const char* NameIn(Mode mode) {
  for (const auto& [value, name] : ModeTable<Mode>::kNames)
    if (value == mode) return name;
  throw InvalidArgument(std::string(ModeTable<Mode>::kOption) + " holds an unknown value " +
                        std::to_string(static_cast<int>(mode)));
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

const char* NameOf(Accelerator mode) { return NameIn(mode); }
const char* NameOf(Fit mode) { return NameIn(mode); }
const char* NameOf(TileBatch mode) { return NameIn(mode); }

template <typename Mode>
Mode ParseMode(const std::string& name) {
  std::string accepted;
  const auto& names = ModeTable<Mode>::kNames;
  constexpr size_t count = sizeof names / sizeof names[0];
  for (size_t i = 0; i < count; ++i) {
    if (name == names[i].second) return names[i].first;
    accepted += std::string(i == 0 ? "" : i + 1 == count ? " or " : ", ") + "\"" + names[i].second + "\"";
  }
  throw InvalidArgument(std::string(ModeTable<Mode>::kOption) + " must be " + accepted + ", not \"" + name + "\"");
}

template <typename Mode>
std::vector<Mode> AllModes() {
  std::vector<Mode> modes;
  for (const auto& entry : ModeTable<Mode>::kNames) modes.push_back(entry.first);
  return modes;
}

template Accelerator ParseMode<Accelerator>(const std::string&);
template Fit ParseMode<Fit>(const std::string&);
template TileBatch ParseMode<TileBatch>(const std::string&);
template std::vector<Accelerator> AllModes<Accelerator>();
template std::vector<Fit> AllModes<Fit>();
template std::vector<TileBatch> AllModes<TileBatch>();

void SessionOptions::Validate() const {
  if (num_threads && *num_threads < 1)
    throw InvalidArgument("num_threads must be at least 1 (unset: the cores this process may use), got " +
                          std::to_string(*num_threads));
  NameOf(accelerator);  // a face that cast an integer into the enum
}

void UpscalerOptions::Validate() const {
  SessionOptions::Validate();
  if (pixel_range && *pixel_range != 1.0 && *pixel_range != 255.0)
    throw InvalidArgument("pixel_range must be 1.0 or 255.0 (unset: the contract's), got " + Number(*pixel_range));
  if (tile_overlap && *tile_overlap < 0)
    throw InvalidArgument("tile_overlap must be at least 0 (unset: automatic), got " +
                          std::to_string(*tile_overlap));
  NameOf(fit);
  NameOf(tile_batch);
}

}  // namespace mobilevsr
