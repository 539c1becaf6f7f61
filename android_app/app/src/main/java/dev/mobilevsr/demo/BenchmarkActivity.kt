package dev.mobilevsr.demo

import android.app.Activity
import android.os.Bundle
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import dev.mobilevsr.Accelerator
import dev.mobilevsr.Benchmark
import dev.mobilevsr.Upscaler
import kotlin.concurrent.thread

/** Every bundled model x precision x accelerator: per-frame latency min/median/p90 over N frames at 180x320. */
class BenchmarkActivity : Activity() {
    private lateinit var results: TextView
    @Volatile private var running = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_benchmark)
        results = findViewById(R.id.results)
        val frames = findViewById<EditText>(R.id.frames)
        findViewById<Button>(R.id.run).setOnClickListener {
            if (!running) start(frames.text.toString().toIntOrNull()?.coerceAtLeast(1) ?: 30)
        }
    }

    override fun onDestroy() {
        running = false
        super.onDestroy()
    }

    private fun start(frames: Int) {
        running = true
        results.text =
            String.format("%-24s %-5s %-4s %8s %8s %8s\n", "model", "prec", "acc", "min ms", "med ms", "p90 ms")
        thread(name = "benchmark") {
            for (model in bundledModels()) {
                for (accelerator in listOf(Accelerator.GPU, Accelerator.CPU)) {
                    if (!running) return@thread
                    val row = try {
                        Upscaler(modelFile(model).path, accelerator).use { up ->
                            val size = Benchmark.frameSize(up.info())
                            val stats = Benchmark.run(up, Benchmark.noiseFrame(size[0], size[1], 1L), 3, frames)
                            String.format("%8.1f %8.1f %8.1f", stats.minMs, stats.medianMs, stats.p90Ms)
                        }
                    } catch (e: Exception) {
                        "unavailable: ${e.message}"
                    }
                    val line = String.format("%-24s %-5s %-4s %s\n", model.name, model.precision, accelerator, row)
                    runOnUiThread { results.append(line) }
                }
            }
            running = false
        }
    }
}
