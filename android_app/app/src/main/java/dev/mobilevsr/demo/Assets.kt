package dev.mobilevsr.demo

import android.content.Context
import android.graphics.Bitmap
import dev.mobilevsr.BundledModel
import dev.mobilevsr.Frame
import java.io.File

/** The bundled models (assets/models, copied from python/mobilevsr_rt/models at build time). */
fun Context.bundledModels(): List<BundledModel> =
    assets.list("models").orEmpty().mapNotNull { BundledModel.parse(it) }

/** The core reads a model by path, so an asset model is copied to the cache once (again when its size changes). */
fun Context.modelFile(model: BundledModel): File {
    val asset = "models/${model.fileName}"
    val file = File(cacheDir, asset)
    val size = assets.openFd(asset).use { it.length }  // tflite assets are stored uncompressed
    if (file.length() != size) {
        file.parentFile?.mkdirs()
        val partial = File(file.path + ".part")
        assets.open(asset).use { input -> partial.outputStream().use { input.copyTo(it) } }
        partial.renameTo(file)
    }
    return file
}

fun Bitmap.toFrame(): Frame {
    val argb = IntArray(width * height)
    getPixels(argb, 0, width, 0, 0, width, height)
    return Frame.fromArgb(argb, width, height)
}

fun Frame.toBitmap(): Bitmap = Bitmap.createBitmap(toArgb(), width(), height(), Bitmap.Config.ARGB_8888)
