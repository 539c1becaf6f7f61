// The SDK module: the plain-Java API (src/main/java/dev/mobilevsr) and libmobilevsr_jni.so, built by CMake from
// ../../cpp/jni, which compiles the very same core as the Python package.
plugins {
    id("com.android.library")
}

val liteRtVersion = "2.3.0"  // the C API of ai-edge-litert 2.3.0, which the host tests run against

android {
    namespace = "dev.mobilevsr"
    compileSdk = 35
    ndkVersion = "27.2.12479018"

    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
        ndk {
            abiFilters += "arm64-v8a"
        }
        externalNativeBuild {
            cmake {
                // LiteRT is reached only through its C API (dlopen), so a static libc++ cannot clash with its own.
                arguments += listOf("-DANDROID_STL=c++_static", "-DCMAKE_BUILD_TYPE=Release")
                targets += "mobilevsr_jni"
            }
        }
    }
    externalNativeBuild {
        cmake {
            path = file("../../cpp/jni/CMakeLists.txt")
            version = "3.22.1"
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_11
        targetCompatibility = JavaVersion.VERSION_11
    }
}

dependencies {
    // libLiteRt.so; the core dlopens it from the app's nativeLibraryDir, exactly as on desktop.
    api("com.google.ai.edge.litert:litert:$liteRtVersion")
    // From LiteRT 2.3.0 the GPU accelerator plugin ships in its own artifact; without it "auto" runs on the CPU.
    api("com.google.ai.edge.litert:litert-gpu:$liteRtVersion")
}
