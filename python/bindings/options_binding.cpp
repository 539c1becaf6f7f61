// The core's options structs (cpp/src/options.h) bound field by field, and their modes as Python enums. Values are
// checked by the core's Validate(), as for every face; these setters only refuse a value of the wrong Python type,
// naming the field (pybind11's own message would list overloads instead).
#include "options_binding.h"

#include <pybind11/stl.h>

#include <cctype>
#include <optional>
#include <string>
#include <type_traits>

#include "options.h"

namespace py = pybind11;

namespace {

using mobilevsr::SessionOptions;
using mobilevsr::UpscalerOptions;

template <typename T>
constexpr const char* kExpected = "a value of another type";
template <>
constexpr const char* kExpected<std::optional<int>> = "an int or None";
template <>
constexpr const char* kExpected<std::optional<double>> = "a number or None";
template <>
constexpr const char* kExpected<std::string> = "a str";
template <>
constexpr const char* kExpected<bool> = "a bool";

[[noreturn]] void WrongType(const char* field, const char* expected, const py::handle& value) {
  throw py::value_error(std::string(field) + " must be " + expected + ", got " + py::repr(value).cast<std::string>());
}

template <typename T>
T FromPython(const char* field, const py::handle& value) {
  if constexpr (std::is_same_v<T, std::optional<int>>) {
    // pybind11 would take True as 1: a flag is no count.
    if (!value.is_none() && (!py::isinstance<py::int_>(value) || py::isinstance<py::bool_>(value)))
      WrongType(field, kExpected<T>, value);
  }
  try {
    return value.cast<T>();
  } catch (const py::cast_error&) {
    WrongType(field, kExpected<T>, value);
  }
}

// The Python name of a mode's enum ("Fit"), set when it is bound.
template <typename Mode>
std::string& ModeTypeName() {
  static std::string name;
  return name;
}

// A mode accepts its enum or its name ("auto", "tile", ...): the strings of earlier releases keep working.
template <typename Mode>
Mode ModeFromPython(const char* field, const py::handle& value) {
  if (py::isinstance<py::str>(value)) return mobilevsr::ParseMode<Mode>(value.cast<std::string>());
  try {
    return value.cast<Mode>();
  } catch (const py::cast_error&) {
    WrongType(field, ("a " + ModeTypeName<Mode>() + " or the name of one").c_str(), value);
  }
}

// Binds `member` as the read/write attribute `name`.
template <typename Class, typename Owner, typename T>
void Field(Class& cls, const char* name, T Owner::*member, const char* doc) {
  cls.def_property(
      name, [member](const Owner& options) { return options.*member; },
      [name, member](Owner& options, const py::handle& value) {
        if constexpr (std::is_enum_v<T>) options.*member = ModeFromPython<T>(name, value);
        else options.*member = FromPython<T>(name, value);
      },
      doc);
}

// The enum's members are the core's names upper-cased (AUTO, GPU, ...), as in Java.
template <typename Mode>
void BindMode(py::module_& m, const char* name, const char* doc) {
  py::enum_<Mode> mode(m, name, doc);
  ModeTypeName<Mode>() = name;
  for (Mode value : mobilevsr::AllModes<Mode>()) {
    std::string member = mobilevsr::NameOf(value);
    for (char& c : member) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    mode.value(member.c_str(), value);
  }
  // str() gives the name every face uses ("auto", "gpu", ...), as the strings these enums replace.
  mode.attr("__str__") = py::cpp_function([](Mode value) { return mobilevsr::NameOf(value); }, py::name("__str__"),
                                          py::is_method(mode));
}

}  // namespace

void BindOptions(py::module_& m) {
  BindMode<mobilevsr::Accelerator>(m, "Accelerator", "Where the model runs: AUTO tries the GPU and falls back to "
                                   "the CPU, GPU fails instead.");
  BindMode<mobilevsr::Fit>(m, "Fit", "Frames of another size than the model's: AUTO resizes the model's inputs when "
                           "the graph allows it, else pads or tiles; RESIZE only resizes; TILE pads or tiles at the "
                           "model's own size.");
  BindMode<mobilevsr::TileBatch>(m, "TileBatch", "A frame's tiles as one batch (ON), one after another (OFF), or "
                                 "whichever measured faster (AUTO).");

  py::class_<SessionOptions> session(m, "SessionOptions", "How a model is opened (cpp/src/options.h).");
  session.def(py::init<>())
      .def("validate", &SessionOptions::Validate, "Raises ValueError naming the first bad field.");
  Field(session, "litert_library", &SessionOptions::litert_library, "libLiteRt.so or the folder holding it");
  Field(session, "accelerator", &SessionOptions::accelerator, "Accelerator (or its name)");
  Field(session, "num_threads", &SessionOptions::num_threads, "CPU threads; None: the cores this process may use");
  Field(session, "verbose", &SessionOptions::verbose, "show LiteRT's INFO logging and what native code prints");
  Field(session, "profile", &SessionOptions::profile, "compile with LiteRT's profiler on");

  py::class_<UpscalerOptions, SessionOptions> upscaler(m, "UpscalerOptions",
                                                      "A SessionOptions plus how the model is driven and how "
                                                      "frames of other sizes fit (cpp/src/options.h).");
  upscaler.def(py::init<>())
      .def("validate", &UpscalerOptions::Validate, "Raises ValueError naming the first bad field.");
  Field(upscaler, "contract_json", &UpscalerOptions::contract_json, "a contract used instead of the model's own");
  Field(upscaler, "pixel_range", &UpscalerOptions::pixel_range, "1.0 or 255.0; None: the contract's");
  Field(upscaler, "tile_overlap", &UpscalerOptions::tile_overlap, "LR pixels tiles share; None: automatic");
  Field(upscaler, "allow_transpose", &UpscalerOptions::allow_transpose, "may run a clip transposed");
  Field(upscaler, "fit", &UpscalerOptions::fit, "Fit (or its name)");
  Field(upscaler, "tile_batch", &UpscalerOptions::tile_batch, "TileBatch (or its name)");
}
