// mobilevsr_rt._core: the thin pybind11 face of the C++ core. Argument checking that needs numpy happens here;
// everything else is the core's.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "contract.h"
#include "errors.h"
#include "json.h"
#include "options_binding.h"
#include "session.h"
#include "upscaler.h"

namespace py = pybind11;
using mobilevsr::FrameView;
using mobilevsr::HrFrame;

namespace {

// Error texts may quote bytes from a corrupted file; Python needs valid UTF-8, so anything else becomes '?'.
std::string SafeMessage(const char* text) {
  const PyObject* probe = PyUnicode_DecodeUTF8(text, static_cast<Py_ssize_t>(std::strlen(text)), "strict");
  if (probe != nullptr) {
    Py_DECREF(const_cast<PyObject*>(probe));
    return text;
  }
  PyErr_Clear();
  std::string clean(text);
  for (char& c : clean)
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  return clean;
}

// The array owns the frame's buffer; dropping the array gives the memory back to the Upscaler's pool.
py::array ToNumpy(HrFrame frame) {
  auto owner = std::make_unique<mobilevsr::PixelBuffer>(std::move(frame.pixels));
  uint8_t* data = owner->get();
  py::capsule release_when_done(owner.get(), [](void* p) { delete static_cast<mobilevsr::PixelBuffer*>(p); });
  owner.release();  // the capsule owns it now
  return py::array_t<uint8_t>({frame.height, frame.width, 3}, data, release_when_done);
}

// Owns the core object; close() drops it and later calls raise instead of touching freed memory.
class PyUpscaler {
 public:
  PyUpscaler(const std::string& model_path, const mobilevsr::UpscalerOptions& options) {
    py::gil_scoped_release release;
    core_ = std::make_shared<mobilevsr::Upscaler>(model_path, options);
  }

  py::object Process(const py::array& frame) {
    if (!frame.dtype().is(py::dtype::of<uint8_t>()))
      throw py::value_error("frames must be uint8 arrays, got dtype " + std::string(py::str(frame.dtype())));
    if (frame.ndim() != 3)
      throw py::value_error("frames must be HxWx3 (RGB) or HxWx4 (RGBA) arrays, got " + std::to_string(frame.ndim()) +
                            " dimensions");
    FrameView view;
    view.data = static_cast<const uint8_t*>(frame.data());
    view.height = static_cast<int>(frame.shape(0));
    view.width = static_cast<int>(frame.shape(1));
    view.channels = static_cast<int>(frame.shape(2));
    view.row_stride = frame.strides(0);
    view.pixel_stride = frame.strides(1);
    view.channel_stride = frame.strides(2);
    auto core = Core();
    std::optional<HrFrame> out;
    {
      py::gil_scoped_release release;
      out = core->Process(view);
    }
    if (!out) return py::none();
    return ToNumpy(std::move(*out));
  }

  py::list Flush() {
    auto core = Core();
    std::vector<HrFrame> frames;
    {
      py::gil_scoped_release release;
      frames = core->Flush();
    }
    py::list result;
    for (auto& f : frames) result.append(ToNumpy(std::move(f)));
    return result;
  }

  void Reset() { Core()->Reset(); }
  std::string Info() { return Core()->Info().Dump(); }
  std::string ProfileReport(bool clear) { return Core()->ProfileReport(clear).Dump(); }
  void ClearProfile() { Core()->ClearProfile(); }
  std::string Timing(bool clear) { return Core()->Timing(clear).Dump(); }
  void RunModelOnly(bool swap_states) {
    auto core = Core();
    py::gil_scoped_release release;
    core->RunModelOnly(swap_states);
  }
  int Lookahead() { return Core()->lookahead(); }
  bool Closed() {
    std::lock_guard<std::mutex> lock(mutex_);
    return core_ == nullptr;
  }
  void Close() {
    std::shared_ptr<mobilevsr::Upscaler> doomed;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      doomed.swap(core_);
    }
    py::gil_scoped_release release;
    doomed.reset();  // waits for nothing: a call in flight holds its own reference
  }

 private:
  std::shared_ptr<mobilevsr::Upscaler> Core() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!core_) throw std::runtime_error("this Upscaler is closed");
    return core_;
  }
  std::mutex mutex_;
  std::shared_ptr<mobilevsr::Upscaler> core_;
};

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "mobilevsr C++ core (LiteRT streaming video super-resolution)";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const mobilevsr::FileNotFound& e) {
      PyErr_SetString(PyExc_FileNotFoundError, SafeMessage(e.what()).c_str());
    } catch (const mobilevsr::InvalidArgument& e) {
      PyErr_SetString(PyExc_ValueError, SafeMessage(e.what()).c_str());
    } catch (const mobilevsr::RuntimeError& e) {
      PyErr_SetString(PyExc_RuntimeError, SafeMessage(e.what()).c_str());
    }
  });
  BindOptions(m);
  py::class_<PyUpscaler>(m, "Upscaler")
      .def(py::init<const std::string&, const mobilevsr::UpscalerOptions&>(), py::arg("model_path"),
           py::arg("options"))
      .def("process", &PyUpscaler::Process, py::arg("frame"))
      .def("flush", &PyUpscaler::Flush)
      .def("reset", &PyUpscaler::Reset)
      .def("info", &PyUpscaler::Info)
      .def("profile_report", &PyUpscaler::ProfileReport, py::arg("clear") = false)
      .def("clear_profile", &PyUpscaler::ClearProfile)
      .def("timing", &PyUpscaler::Timing, py::arg("clear") = false)
      .def("run_model_only", &PyUpscaler::RunModelOnly, py::arg("swap_states") = false,
           "Benchmarks' floor: LiteRtRunCompiledModel alone on this Upscaler's model, inputs as last written; "
           "swap_states hands state over by buffer swap as process() does (the stream's state moves on)")
      .def("lookahead", &PyUpscaler::Lookahead)
      .def("closed", &PyUpscaler::Closed)
      .def("close", &PyUpscaler::Close);
  m.def("validate_contract", [](const std::string& text) { mobilevsr::ParseContract(text); }, py::arg("contract_json"),
        "Validates a contract JSON document with the runtime's own validator; raises ValueError.");
  m.def("contract_schema", [] { return mobilevsr::ContractSchemaText(); });
  m.def(
      "compile_model",
      [](const std::string& model_path, const mobilevsr::SessionOptions& options) {
        std::unique_ptr<mobilevsr::Session> session;
        {
          py::gil_scoped_release release;
          session = std::make_unique<mobilevsr::Session>(options, model_path);
        }
        const std::string& reason = session->fallback_reason();
        return mobilevsr::Json::MakeObject({
            {"accelerator", mobilevsr::Json::String(session->accelerator())},
            {"fully_accelerated", mobilevsr::Json::Bool(session->fully_accelerated())},
            {"gpu_compiled", mobilevsr::Json::Bool(session->gpu_compiled())},
            {"fallback_reason", reason.empty() ? mobilevsr::Json() : mobilevsr::Json::String(reason)},
            {"num_threads", mobilevsr::Json::Number(session->num_threads(), true)},
            {"native_log", mobilevsr::Json::String(session->native_log())},
        }).Dump();
      },
      py::arg("model_path"), py::arg("options"),
      "Compiles any .tflite model (no contract needed) as an Upscaler would and reports where it runs: the "
      "accelerator, full acceleration, whether the GPU compiled it, why the GPU was not used, the CPU threads and "
      "the captured native log.");
  m.def("cores_this_process_may_use", &mobilevsr::CoresThisProcessMayUse,
        "The default thread count: the CPUs in this process's affinity mask.");
}
