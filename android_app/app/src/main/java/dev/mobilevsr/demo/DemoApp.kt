package dev.mobilevsr.demo

import android.app.Application
import dev.mobilevsr.Upscaler

class DemoApp : Application() {
    override fun onCreate() {
        super.onCreate()
        // The core dlopens libLiteRt.so from where Android extracted the app's native libraries (and LiteRT finds
        // its GPU accelerator plugin next to it), exactly as it takes ai_edge_litert's folder on desktop.
        Upscaler.setDefaultLiteRtLibrary(applicationInfo.nativeLibraryDir)
    }
}
