#include "litert_library.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <map>
#include <mutex>

#include "errors.h"

namespace mobilevsr::litert {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string Dirname(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

template <typename Fn>
void Resolve(void* handle, const std::string& library, const char* symbol, Fn* out) {
  dlerror();
  void* address = dlsym(handle, symbol);
  if (address == nullptr) {
    throw RuntimeError("LiteRT library " + library + " lacks the symbol " + symbol +
                       " (mobilevsr needs a LiteRT with the C API of ai-edge-litert 2.3)");
  }
  *out = reinterpret_cast<Fn>(address);
}

// Resolves an optional symbol: false (and *out null) when it is missing.
template <typename Fn>
bool ResolveOptional(void* handle, const char* symbol, Fn* out) {
  dlerror();
  *out = reinterpret_cast<Fn>(dlsym(handle, symbol));
  return *out != nullptr;
}

}  // namespace

std::shared_ptr<const Library> Library::Load(const std::string& requested) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Library>> cache;
  std::lock_guard<std::mutex> lock(mutex);

  const std::string path = IsDirectory(requested) ? requested + "/libLiteRt.so" : requested;
  if (auto it = cache.find(path); it != cache.end()) return it->second;

  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw RuntimeError("cannot load the LiteRT library " + path + ": " + (why ? why : "unknown dlopen error"));
  }
  std::shared_ptr<Library> library(new Library());
  library->path_ = path;
  library->directory_ = Dirname(path);
  Api& a = library->api_;
#define MOBILEVSR_LITERT_SYMBOL(name) "LiteRt" #name
#define MOBILEVSR_RESOLVE(name, ...) Resolve(handle, path, MOBILEVSR_LITERT_SYMBOL(name), &a.name);
  MOBILEVSR_LITERT_REQUIRED(MOBILEVSR_RESOLVE)
#undef MOBILEVSR_RESOLVE
  // Optional groups resolve all or nothing; `missing` keeps the first symbol that is not there.
#define MOBILEVSR_RESOLVE_OPTIONAL(name, ...)                                          \
  if (!ResolveOptional(handle, MOBILEVSR_LITERT_SYMBOL(name), &a.name) && missing.empty()) \
    missing = MOBILEVSR_LITERT_SYMBOL(name);
#define MOBILEVSR_CLEAR(name, ...) a.name = nullptr;
  {
    // The profiler: a library without it still runs models, only profiling fails (with this name).
    std::string& missing = library->profiler_missing_;
    MOBILEVSR_LITERT_PROFILER(MOBILEVSR_RESOLVE_OPTIONAL)
    if (!missing.empty()) {
      MOBILEVSR_LITERT_PROFILER(MOBILEVSR_CLEAR)
    }
  }
  {
    // Model inspection: without it the receptive field is "not computable" and tiles overlap by the default.
    std::string& missing = library->inspection_missing_;
    MOBILEVSR_LITERT_INSPECTION(MOBILEVSR_RESOLVE_OPTIONAL)
    std::string no_subgraph;  // one way to the subgraph is enough
    {
      std::string& missing = no_subgraph;
      MOBILEVSR_LITERT_SUBGRAPH(MOBILEVSR_RESOLVE_OPTIONAL)
    }
    if (a.GetSignatureSubgraph == nullptr && a.GetModelSubgraph == nullptr && missing.empty()) missing = no_subgraph;
    if (!missing.empty()) {
      MOBILEVSR_LITERT_INSPECTION(MOBILEVSR_CLEAR)
      MOBILEVSR_LITERT_SUBGRAPH(MOBILEVSR_CLEAR)
    }
  }
#undef MOBILEVSR_CLEAR
#undef MOBILEVSR_RESOLVE_OPTIONAL
  // Each of these may be missing on its own.
#define MOBILEVSR_RESOLVE_EACH(name, ...) ResolveOptional(handle, MOBILEVSR_LITERT_SYMBOL(name), &a.name);
  MOBILEVSR_LITERT_EACH_OPTIONAL(MOBILEVSR_RESOLVE_EACH)
#undef MOBILEVSR_RESOLVE_EACH
#undef MOBILEVSR_LITERT_SYMBOL
  cache.emplace(path, library);
  return library;
}

std::string StatusToString(LiteRtStatus status) {
  switch (status) {
    case 0: return "ok";
    case 1: return "invalid argument";
    case 2: return "memory allocation failure";
    case 3: return "runtime failure";
    case 4: return "missing input tensor";
    case 5: return "unsupported";
    case 6: return "not found";
    case 7: return "timeout expired";
    case 8: return "wrong version";
    case 9: return "unknown error";
    case 10: return "already exists";
    case 100: return "cancelled";
    case 500: return "file I/O error";
    case 501: return "invalid flatbuffer";
    case 502: return "dynamic loading error";
    case 503: return "serialization error";
    case 504: return "compilation error";
    case 1000: return "index out of bounds";
    case 1001: return "invalid IR type";
    case 1002: return "invalid graph invariant";
    case 1003: return "graph modification error";
    case 4000: return "unsupported runtime version";
    case 4001: return "unsupported compiler version";
    case 4002: return "incompatible byte code version";
    case 5000: return "unsupported op shape inferer";
    case 5001: return "shape inference failed";
    default: return "LiteRT status " + std::to_string(status);
  }
}

}  // namespace mobilevsr::litert
