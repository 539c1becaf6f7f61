package dev.mobilevsr.demo

import android.app.Activity
import android.content.Intent
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Matrix
import android.media.MediaMetadataRetriever
import android.net.Uri
import android.os.Build
import android.os.Bundle
import android.os.SystemClock
import android.widget.ArrayAdapter
import android.widget.Button
import android.widget.ImageView
import android.widget.Spinner
import android.widget.TextView
import dev.mobilevsr.Accelerator
import dev.mobilevsr.Bicubic
import dev.mobilevsr.BundledModel
import dev.mobilevsr.Frame
import dev.mobilevsr.Upscaler
import kotlin.concurrent.thread

/** Plays a picked video (or the bundled sample) upscaled by the model next to bicubic, with FPS and accelerator. */
class PlayerActivity : Activity() {
    private lateinit var models: List<BundledModel>
    private lateinit var modelChoice: Spinner
    private lateinit var acceleratorChoice: Spinner
    private lateinit var status: TextView
    @Volatile private var playing = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_player)
        models = bundledModels()
        modelChoice = findViewById(R.id.model)
        modelChoice.adapter = ArrayAdapter(this, android.R.layout.simple_spinner_dropdown_item, models)
        acceleratorChoice = findViewById(R.id.accelerator)
        acceleratorChoice.adapter =
            ArrayAdapter(this, android.R.layout.simple_spinner_dropdown_item, Accelerator.values())
        status = findViewById(R.id.status)
        findViewById<Button>(R.id.pick_video).setOnClickListener {
            startActivityForResult(Intent(Intent.ACTION_OPEN_DOCUMENT).setType("video/*"), PICK_VIDEO)
        }
        findViewById<Button>(R.id.sample).setOnClickListener { play(null) }
        findViewById<Button>(R.id.stop).setOnClickListener { playing = false }
    }

    @Deprecated("Activity result API of the platform Activity")
    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        if (requestCode == PICK_VIDEO && resultCode == RESULT_OK) data?.data?.let { play(it) }
    }

    override fun onDestroy() {
        playing = false
        super.onDestroy()
    }

    private fun play(video: Uri?) {
        if (playing || models.isEmpty()) return
        val model = models[modelChoice.selectedItemPosition]
        val accelerator = acceleratorChoice.selectedItem as Accelerator
        playing = true
        thread(name = "player") {
            try {
                Upscaler(modelFile(model).path, accelerator).use { up -> withFrames(video) { stream(up, it) } }
            } catch (e: Exception) {
                runOnUiThread { status.text = "error: ${e.message}" }
            }
            playing = false
        }
    }

    /** Feeds every frame through the upscaler; shows each HR frame next to the bicubic of the same LR frame. */
    private fun stream(up: Upscaler, frames: Sequence<Bitmap>) {
        val info = up.info()
        val where = info.accelerator + (info.fallbackReason?.let { " (fallback: $it)" } ?: "")
        val pending = ArrayDeque<Bitmap>()  // bicubic frames waiting for their HR frame (the model's lookahead)
        val start = SystemClock.elapsedRealtime()
        var shown = 0
        fun show(hr: Frame) {
            val bicubic = pending.removeFirst()
            val upscaled = hr.toBitmap()
            shown++
            val fps = shown * 1000.0 / (SystemClock.elapsedRealtime() - start).coerceAtLeast(1)
            runOnUiThread {
                findViewById<ImageView>(R.id.bicubic).setImageBitmap(bicubic)
                findViewById<ImageView>(R.id.upscaled).setImageBitmap(upscaled)
                status.text = String.format("%.1f fps  %s  %s", fps, where, info.layout)
            }
        }
        for (bitmap in frames) {
            if (!playing) break
            val lr = fit(bitmap, info.modelFrameWidth, info.modelFrameHeight).toFrame()
            pending.addLast(Bicubic.upscale(lr, info.scale).toBitmap())
            up.process(lr)?.let(::show)
        }
        up.flush().forEach(::show)
    }

    /** Rotates a frame to the model's orientation and scales it to the model's frame size. */
    private fun fit(bitmap: Bitmap, width: Int, height: Int): Bitmap {
        val rotate = (bitmap.width > bitmap.height) != (width > height)
        val turned = if (rotate) {
            Bitmap.createBitmap(bitmap, 0, 0, bitmap.width, bitmap.height, Matrix().apply { postRotate(90f) }, true)
        } else {
            bitmap
        }
        return Bitmap.createScaledBitmap(turned, width, height, true)
    }

    /** Runs [body] on the decoded frames of the picked video, or on the bundled sample's PNG frames. */
    private fun withFrames(video: Uri?, body: (Sequence<Bitmap>) -> Unit) {
        if (video == null) {
            val names = assets.list("sample").orEmpty().filter { it.endsWith(".png") }
            body(names.asSequence().mapNotNull { decodeAsset("sample/$it") })
            return
        }
        val retriever = MediaMetadataRetriever()
        try {
            retriever.setDataSource(this, video)
            val count = if (Build.VERSION.SDK_INT >= 28) {
                retriever.extractMetadata(MediaMetadataRetriever.METADATA_KEY_VIDEO_FRAME_COUNT)?.toIntOrNull()
            } else {
                null
            }
            val durationMs =
                retriever.extractMetadata(MediaMetadataRetriever.METADATA_KEY_DURATION)?.toLongOrNull() ?: 0L
            body(
                if (count != null && Build.VERSION.SDK_INT >= 28) {
                    (0 until count).asSequence().mapNotNull { retriever.getFrameAtIndex(it) }
                } else {
                    (0 until durationMs step FRAME_STEP_MS).asSequence().mapNotNull {
                        retriever.getFrameAtTime(it * 1000, MediaMetadataRetriever.OPTION_CLOSEST)
                    }
                },
            )
        } finally {
            retriever.release()
        }
    }

    private fun decodeAsset(path: String): Bitmap? = assets.open(path).use { BitmapFactory.decodeStream(it) }

    private companion object {
        const val PICK_VIDEO = 1
        const val FRAME_STEP_MS = 33L  // ~30 fps when the platform cannot decode by frame index (API < 28)
    }
}
