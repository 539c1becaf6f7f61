// The demo app: thin Kotlin screens over the :mobilevsr Java API.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

// Bundled models: the .tflite files the Python package ships (one source, nothing duplicated in git) with their
// third-party NOTICE (licences of models derived from published ones), plus the sample clip's PNG frames when that
// folder exists. Both are copied into generated assets at build time.
val modelsDir = rootDir.resolve(providers.gradleProperty("mobilevsr.modelsDir").get())
val sampleClip = rootDir.resolve(providers.gradleProperty("mobilevsr.sampleClip").get())
val generatedAssets = layout.buildDirectory.dir("generated/mobilevsr-assets")

val copyBundledAssets by tasks.registering(Sync::class) {
    description = "Copies the Python package's models and the sample clip into the app's assets."
    into(generatedAssets)
    from(modelsDir) {
        include("*.tflite", "NOTICE")
        into("models")
    }
    from(sampleClip) {
        include("*.png")
        into("sample")
    }
    doLast {
        if (!destinationDir.resolve("models").isDirectory) {
            logger.warn("mobilevsr: no .tflite models in $modelsDir; the app will only play bicubic")
        }
    }
}

android {
    namespace = "dev.mobilevsr.demo"
    compileSdk = 35

    defaultConfig {
        applicationId = "dev.mobilevsr.demo"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1"
        ndk {
            abiFilters += "arm64-v8a"
        }
    }
    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
            signingConfig = signingConfigs.getByName("debug")  // a demo: installable without a release key
        }
    }
    sourceSets["main"].assets.srcDir(generatedAssets)
    androidResources {
        noCompress += "tflite"
    }
    packaging {
        jniLibs {
            // Extract the .so files to nativeLibraryDir: the core dlopens libLiteRt.so by path and LiteRT finds its
            // GPU accelerator plugin as a file next to it.
            useLegacyPackaging = true
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_11
        targetCompatibility = JavaVersion.VERSION_11
    }
    kotlinOptions {
        jvmTarget = "11"
    }
}

tasks.named("preBuild") {
    dependsOn(copyBundledAssets)
}

dependencies {
    implementation(project(":mobilevsr"))
}
