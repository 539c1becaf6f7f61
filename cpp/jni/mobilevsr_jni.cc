// libmobilevsr_jni: the thin JNI face of the mobilevsr core for the Java API (dev.mobilevsr.Upscaler). Mirrors
// python/bindings/core_module.cpp: argument marshalling here, everything else is the core's. No C++ exception ever
// crosses into the JVM: every native entry point runs inside Guarded(), which turns core errors into Java exceptions.
#include <jni.h>

#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "errors.h"
#include "json.h"
#include "options.h"
#include "session.h"
#include "upscaler.h"

namespace {

using mobilevsr::FrameView;
using mobilevsr::HrFrame;
using mobilevsr::Json;

// Thrown after a JNI call left a Java exception pending: unwinds to Guarded(), which then returns to the JVM.
struct JavaExceptionPending {};

struct JavaClasses {
  jclass frame = nullptr;            // dev.mobilevsr.Frame
  jmethodID frame_init = nullptr;    // Frame(byte[] pixels, int width, int height, int channels)
  jclass info = nullptr;             // dev.mobilevsr.UpscalerInfo
  jmethodID info_init = nullptr;
};
JavaClasses g_classes;

constexpr char kInfoSignature[] =
    "(Ljava/lang/String;Ljava/lang/String;ZLjava/lang/String;ILjava/lang/String;IIDII)V";

void Check(JNIEnv* env) {
  if (env->ExceptionCheck()) throw JavaExceptionPending{};
}

// Java strings are UTF-16; the core speaks UTF-8. (JNI's "UTF" functions use modified UTF-8, which differs for
// supplementary characters and NUL, so convert by hand.)
std::string ToUtf8(JNIEnv* env, jstring text) {
  if (text == nullptr) return {};
  const jsize length = env->GetStringLength(text);
  std::vector<jchar> units(static_cast<size_t>(length));
  env->GetStringRegion(text, 0, length, units.data());
  Check(env);
  std::string out;
  out.reserve(units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    uint32_t c = units[i];
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < units.size() && units[i + 1] >= 0xDC00 && units[i + 1] < 0xE000) {
      c = 0x10000 + ((c - 0xD800) << 10) + (units[++i] - 0xDC00);
    } else if (c >= 0xD800 && c < 0xE000) {
      c = 0xFFFD;  // unpaired surrogate
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// UTF-8 (possibly invalid: error messages may quote model bytes) -> Java string; bad sequences become U+FFFD.
jstring ToJava(JNIEnv* env, const std::string& text) {
  std::vector<jchar> units;
  units.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned char lead = s[i];
    int extra = lead < 0x80 ? 0 : (lead >> 5) == 0x6 ? 1 : (lead >> 4) == 0xE ? 2 : (lead >> 3) == 0x1E ? 3 : -1;
    uint32_t c = extra == 0 ? lead : extra == 1 ? (lead & 0x1F) : extra == 2 ? (lead & 0x0F) : (lead & 0x07);
    bool valid = extra >= 0 && i + extra < n;
    for (int k = 1; valid && k <= extra; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) valid = false;
      else c = (c << 6) | (s[i + k] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (valid && (c < kMin[extra] || c > 0x10FFFF || (c >= 0xD800 && c < 0xE000))) valid = false;
    if (!valid) {
      units.push_back(0xFFFD);
      ++i;
      continue;
    }
    if (c >= 0x10000) {
      units.push_back(static_cast<jchar>(0xD800 + ((c - 0x10000) >> 10)));
      units.push_back(static_cast<jchar>(0xDC00 + ((c - 0x10000) & 0x3FF)));
    } else {
      units.push_back(static_cast<jchar>(c));
    }
    i += static_cast<size_t>(extra) + 1;
  }
  jstring result = env->NewString(units.data(), static_cast<jsize>(units.size()));
  Check(env);
  return result;
}

void ThrowJava(JNIEnv* env, const char* class_name, const std::string& message) {
  if (env->ExceptionCheck()) return;  // keep the first exception
  jclass cls = env->FindClass(class_name);
  if (cls == nullptr) return;  // FindClass left NoClassDefFoundError pending
  // ThrowNew takes modified UTF-8; build the exception through its (String) constructor to keep any text intact.
  jmethodID init = env->GetMethodID(cls, "<init>", "(Ljava/lang/String;)V");
  if (init != nullptr) {
    jstring text = nullptr;
    try {
      text = ToJava(env, message);
    } catch (const JavaExceptionPending&) {
      return;
    }
    auto* error = static_cast<jthrowable>(env->NewObject(cls, init, text));
    if (error != nullptr) env->Throw(error);
  }
  env->DeleteLocalRef(cls);
}

// Runs `body`; any C++ exception becomes the matching Java exception and `fallback` is returned to the JVM.
template <typename T, typename Body>
T Guarded(JNIEnv* env, T fallback, Body&& body) noexcept {
  try {
    return body();
  } catch (const JavaExceptionPending&) {
  } catch (const mobilevsr::FileNotFound& e) {
    ThrowJava(env, "java/io/FileNotFoundException", e.what());
  } catch (const mobilevsr::InvalidArgument& e) {
    ThrowJava(env, "java/lang/IllegalArgumentException", e.what());
  } catch (const mobilevsr::RuntimeError& e) {
    ThrowJava(env, "java/lang/IllegalStateException", e.what());
  } catch (const std::bad_alloc&) {
    ThrowJava(env, "java/lang/OutOfMemoryError", "mobilevsr: out of native memory");
  } catch (const std::exception& e) {
    ThrowJava(env, "java/lang/IllegalStateException", std::string("mobilevsr internal error: ") + e.what());
  } catch (...) {
    ThrowJava(env, "java/lang/IllegalStateException", "mobilevsr internal error: unknown C++ exception");
  }
  return fallback;
}

template <typename Body>
void GuardedVoid(JNIEnv* env, Body&& body) noexcept {
  Guarded(env, 0, [&] {
    body();
    return 0;
  });
}

// The Java object owns the core object through this handle (created by nativeCreate, deleted by nativeDestroy).
// Upscaler.java guarantees no call uses a handle while or after nativeDestroy runs (its read/write lock).
mobilevsr::Upscaler& Core(jlong handle) {
  if (handle == 0) throw mobilevsr::RuntimeError("this Upscaler is closed");
  return *reinterpret_cast<mobilevsr::Upscaler*>(static_cast<intptr_t>(handle));
}

jobject ToJavaFrame(JNIEnv* env, const HrFrame& frame) {
  const jsize size = static_cast<jsize>(static_cast<size_t>(frame.height) * frame.width * 3);
  jbyteArray pixels = env->NewByteArray(size);
  Check(env);
  env->SetByteArrayRegion(pixels, 0, size, reinterpret_cast<const jbyte*>(frame.pixels.get()));
  Check(env);
  jobject result = env->NewObject(g_classes.frame, g_classes.frame_init, pixels, frame.width, frame.height, 3);
  Check(env);
  env->DeleteLocalRef(pixels);
  return result;
}

// Reads a Java object's fields by name. A Java null means "not set": the field keeps the core's default.
class JavaFields {
 public:
  JavaFields(JNIEnv* env, jobject object) : env_(env), object_(object), class_(env->GetObjectClass(object)) {
    Check(env_);
  }
  ~JavaFields() { env_->DeleteLocalRef(class_); }
  JavaFields(const JavaFields&) = delete;
  JavaFields& operator=(const JavaFields&) = delete;

  std::optional<std::string> String(const char* name) {
    return Read<std::string>(name, "Ljava/lang/String;", [&](jobject value) {
      return ToUtf8(env_, static_cast<jstring>(value));
    });
  }
  std::optional<bool> Boolean(const char* name) {
    return Unboxed<bool>(name, "Ljava/lang/Boolean;", "booleanValue", "()Z",
                         [&](jobject box, jmethodID get) { return env_->CallBooleanMethod(box, get) == JNI_TRUE; });
  }
  std::optional<int> Integer(const char* name) {
    return Unboxed<int>(name, "Ljava/lang/Integer;", "intValue", "()I",
                        [&](jobject box, jmethodID get) { return static_cast<int>(env_->CallIntMethod(box, get)); });
  }
  std::optional<double> Double(const char* name) {
    return Unboxed<double>(name, "Ljava/lang/Double;", "doubleValue", "()D",
                           [&](jobject box, jmethodID get) { return env_->CallDoubleMethod(box, get); });
  }
  // A Java mode enum (dev.mobilevsr.Accelerator, Fit, TileBatch): its coreName() is the core's name of the mode.
  template <typename Mode>
  std::optional<Mode> CoreMode(const char* name, const char* signature) {
    auto core_name = Unboxed<std::string>(name, signature, "coreName", "()Ljava/lang/String;",
                                          [&](jobject mode, jmethodID get) {
                                            auto text = static_cast<jstring>(env_->CallObjectMethod(mode, get));
                                            Check(env_);
                                            std::string utf8 = ToUtf8(env_, text);
                                            env_->DeleteLocalRef(text);
                                            return utf8;
                                          });
    if (!core_name) return std::nullopt;
    return mobilevsr::ParseMode<Mode>(*core_name);
  }

 private:
  template <typename T, typename Convert>
  std::optional<T> Read(const char* name, const char* signature, Convert&& convert) {
    jfieldID field = env_->GetFieldID(class_, name, signature);
    Check(env_);
    jobject value = env_->GetObjectField(object_, field);
    Check(env_);
    if (value == nullptr) return std::nullopt;
    std::optional<T> result;
    try {
      result = convert(value);
    } catch (...) {
      env_->DeleteLocalRef(value);
      throw;
    }
    env_->DeleteLocalRef(value);
    return result;
  }
  template <typename T, typename Get>
  std::optional<T> Unboxed(const char* name, const char* signature, const char* method, const char* method_signature,
                           Get&& get) {
    return Read<T>(name, signature, [&](jobject box) {
      jclass box_class = env_->GetObjectClass(box);
      jmethodID getter = env_->GetMethodID(box_class, method, method_signature);
      env_->DeleteLocalRef(box_class);
      Check(env_);
      T value = get(box, getter);
      Check(env_);
      return value;
    });
  }

  JNIEnv* env_;
  jobject object_;
  jclass class_;
};

template <typename Field, typename Value>
void SetIfGiven(Field& field, const std::optional<Value>& value) {
  if (value) field = *value;
}

// dev.mobilevsr.Upscaler.Options field by field, as python/bindings/options_binding.cpp binds them for Python.
mobilevsr::UpscalerOptions ReadOptions(JNIEnv* env, jobject java, const std::string& litert_library) {
  mobilevsr::UpscalerOptions options;
  options.litert_library = litert_library;  // resolved by Upscaler.java (its defaults, system property, environment)
  JavaFields fields(env, java);
  SetIfGiven(options.accelerator,
             fields.CoreMode<mobilevsr::Accelerator>("accelerator", "Ldev/mobilevsr/Accelerator;"));
  SetIfGiven(options.num_threads, fields.Integer("numThreads"));
  SetIfGiven(options.verbose, fields.Boolean("verbose"));
  SetIfGiven(options.profile, fields.Boolean("profile"));
  SetIfGiven(options.contract_json, fields.String("contract"));
  SetIfGiven(options.pixel_range, fields.Double("pixelRange"));
  SetIfGiven(options.tile_overlap, fields.Integer("tileOverlap"));
  SetIfGiven(options.allow_transpose, fields.Boolean("allowTranspose"));
  SetIfGiven(options.fit, fields.CoreMode<mobilevsr::Fit>("fit", "Ldev/mobilevsr/Fit;"));
  SetIfGiven(options.tile_batch, fields.CoreMode<mobilevsr::TileBatch>("tileBatch", "Ldev/mobilevsr/TileBatch;"));
  return options;
}

jlong NativeCreate(JNIEnv* env, jclass, jstring model_path, jstring litert_library, jobject java_options) {
  return Guarded<jlong>(env, 0, [&] {
    if (java_options == nullptr) throw mobilevsr::InvalidArgument("options are null");
    const mobilevsr::UpscalerOptions options = ReadOptions(env, java_options, ToUtf8(env, litert_library));
    auto core = std::make_unique<mobilevsr::Upscaler>(ToUtf8(env, model_path), options);
    return static_cast<jlong>(reinterpret_cast<intptr_t>(core.release()));
  });
}

void NativeDestroy(JNIEnv* env, jclass, jlong handle) {
  GuardedVoid(env, [&] { std::unique_ptr<mobilevsr::Upscaler> doomed(&Core(handle)); });
}

jobject NativeProcess(JNIEnv* env, jclass, jlong handle, jbyteArray pixels, jint width, jint height, jint channels) {
  return Guarded<jobject>(env, nullptr, [&]() -> jobject {
    auto& core = Core(handle);
    if (pixels == nullptr) throw mobilevsr::InvalidArgument("frame pixels are null");
    if (width <= 0 || height <= 0) throw mobilevsr::InvalidArgument("empty frame");
    const size_t expected = static_cast<size_t>(width) * static_cast<size_t>(height) * static_cast<size_t>(channels);
    const jsize length = env->GetArrayLength(pixels);
    if (channels > 0 && static_cast<size_t>(length) != expected)
      throw mobilevsr::InvalidArgument("frame pixels hold " + std::to_string(length) + " bytes, " +
                                       std::to_string(width) + "x" + std::to_string(height) + "x" +
                                       std::to_string(channels) + " needs " + std::to_string(expected));
    // A copy, not GetPrimitiveArrayCritical: the model run takes long and must not block the garbage collector.
    std::vector<uint8_t> copy(static_cast<size_t>(length));
    env->GetByteArrayRegion(pixels, 0, length, reinterpret_cast<jbyte*>(copy.data()));
    Check(env);
    FrameView view;
    view.data = copy.data();
    view.height = height;
    view.width = width;
    view.channels = channels;
    view.row_stride = static_cast<ptrdiff_t>(width) * channels;
    view.pixel_stride = channels;
    view.channel_stride = 1;
    std::optional<HrFrame> out = core.Process(view);
    return out ? ToJavaFrame(env, *out) : nullptr;
  });
}

jobjectArray NativeFlush(JNIEnv* env, jclass, jlong handle) {
  return Guarded<jobjectArray>(env, nullptr, [&] {
    std::vector<HrFrame> frames = Core(handle).Flush();
    jobjectArray result = env->NewObjectArray(static_cast<jsize>(frames.size()), g_classes.frame, nullptr);
    Check(env);
    for (size_t i = 0; i < frames.size(); ++i) {
      jobject frame = ToJavaFrame(env, frames[i]);
      env->SetObjectArrayElement(result, static_cast<jsize>(i), frame);
      env->DeleteLocalRef(frame);
    }
    return result;
  });
}

void NativeReset(JNIEnv* env, jclass, jlong handle) {
  GuardedVoid(env, [&] { Core(handle).Reset(); });
}

jint NativeLookahead(JNIEnv* env, jclass, jlong handle) {
  return Guarded<jint>(env, 0, [&] { return static_cast<jint>(Core(handle).lookahead()); });
}

jstring NativeTiming(JNIEnv* env, jclass, jlong handle, jboolean clear) {
  return Guarded<jstring>(env, nullptr, [&] { return ToJava(env, Core(handle).Timing(clear == JNI_TRUE).Dump()); });
}

jstring NativeProfileReport(JNIEnv* env, jclass, jlong handle, jboolean clear) {
  return Guarded<jstring>(env, nullptr,
                          [&] { return ToJava(env, Core(handle).ProfileReport(clear == JNI_TRUE).Dump()); });
}

const Json& Member(const Json& object, const char* key) {
  const Json* value = object.find(key);
  if (value == nullptr) throw mobilevsr::RuntimeError(std::string("the core's info lacks \"") + key + "\"");
  return *value;
}

jobject NativeInfo(JNIEnv* env, jclass, jlong handle) {
  return Guarded<jobject>(env, nullptr, [&] {
    const Json info = Core(handle).Info();
    const Json& reason = Member(info, "fallback_reason");
    const Json::Array& frame_size = Member(info, "model_frame_size").as_array();
    if (frame_size.size() != 2) throw mobilevsr::RuntimeError("the core's info has a bad model_frame_size");
    jstring json = ToJava(env, info.Dump());
    jstring accelerator = ToJava(env, Member(info, "accelerator").as_string());
    jstring fallback = reason.type() == Json::Type::kString ? ToJava(env, reason.as_string()) : nullptr;
    jstring layout = ToJava(env, Member(info, "layout").as_string());
    jobject result = env->NewObject(
        g_classes.info, g_classes.info_init, json, accelerator,
        static_cast<jboolean>(Member(info, "fully_accelerated").as_bool()), fallback,
        static_cast<jint>(Member(info, "num_threads").as_number()), layout,
        static_cast<jint>(Member(info, "scale").as_number()), static_cast<jint>(Member(info, "lookahead").as_number()),
        static_cast<jdouble>(Member(info, "pixel_range").as_number()), static_cast<jint>(frame_size[0].as_number()),
        static_cast<jint>(frame_size[1].as_number()));
    Check(env);
    return result;
  });
}

jclass GlobalClass(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) return nullptr;
  auto global = static_cast<jclass>(env->NewGlobalRef(local));
  env->DeleteLocalRef(local);
  return global;
}

}  // namespace

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_6) != JNI_OK) return JNI_ERR;
  g_classes.frame = GlobalClass(env, "dev/mobilevsr/Frame");
  g_classes.info = GlobalClass(env, "dev/mobilevsr/UpscalerInfo");
  if (g_classes.frame == nullptr || g_classes.info == nullptr) return JNI_ERR;
  g_classes.frame_init = env->GetMethodID(g_classes.frame, "<init>", "([BIII)V");
  g_classes.info_init = env->GetMethodID(g_classes.info, "<init>", kInfoSignature);
  if (g_classes.frame_init == nullptr || g_classes.info_init == nullptr) return JNI_ERR;

  jclass upscaler = env->FindClass("dev/mobilevsr/Upscaler");
  if (upscaler == nullptr) return JNI_ERR;
  const JNINativeMethod methods[] = {
      {const_cast<char*>("nativeCreate"),
       const_cast<char*>("(Ljava/lang/String;Ljava/lang/String;Ldev/mobilevsr/Upscaler$Options;)J"),
       reinterpret_cast<void*>(NativeCreate)},
      {const_cast<char*>("nativeDestroy"), const_cast<char*>("(J)V"), reinterpret_cast<void*>(NativeDestroy)},
      {const_cast<char*>("nativeProcess"), const_cast<char*>("(J[BIII)Ldev/mobilevsr/Frame;"),
       reinterpret_cast<void*>(NativeProcess)},
      {const_cast<char*>("nativeFlush"), const_cast<char*>("(J)[Ldev/mobilevsr/Frame;"),
       reinterpret_cast<void*>(NativeFlush)},
      {const_cast<char*>("nativeReset"), const_cast<char*>("(J)V"), reinterpret_cast<void*>(NativeReset)},
      {const_cast<char*>("nativeLookahead"), const_cast<char*>("(J)I"), reinterpret_cast<void*>(NativeLookahead)},
      {const_cast<char*>("nativeTiming"), const_cast<char*>("(JZ)Ljava/lang/String;"),
       reinterpret_cast<void*>(NativeTiming)},
      {const_cast<char*>("nativeProfileReport"), const_cast<char*>("(JZ)Ljava/lang/String;"),
       reinterpret_cast<void*>(NativeProfileReport)},
      {const_cast<char*>("nativeInfo"), const_cast<char*>("(J)Ldev/mobilevsr/UpscalerInfo;"),
       reinterpret_cast<void*>(NativeInfo)},
  };
  const jint registered = env->RegisterNatives(upscaler, methods, sizeof(methods) / sizeof(methods[0]));
  env->DeleteLocalRef(upscaler);
  return registered == JNI_OK ? JNI_VERSION_1_6 : JNI_ERR;
}
