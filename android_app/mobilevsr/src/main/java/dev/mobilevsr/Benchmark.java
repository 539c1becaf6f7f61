package dev.mobilevsr;

import java.util.Random;

/**
 * The runtime benchmark the demo's benchmark screen runs (in the spirit of the AI Benchmark runtime test): per-frame
 * latency of {@link Upscaler#process} on a steady stream of frames at the model's frame size.
 */
public final class Benchmark {
    private Benchmark() {
    }

    /**
     * Feeds {@code warmup} untimed frames (they also fill the lookahead and let the accelerator settle), then times
     * {@code frames} calls of {@link Upscaler#process}. For a chunked model (N frames per run) every N-th call does
     * the run, which shows in the spread between median and p90. Starts and ends with a fresh clip.
     */
    public static LatencyStats run(Upscaler upscaler, Frame frame, int warmup, int frames) {
        if (frames < 1 || warmup < 0) {
            throw new IllegalArgumentException("need frames >= 1 and warmup >= 0, got " + frames + ", " + warmup);
        }
        upscaler.reset();
        int untimed = Math.max(warmup, upscaler.lookahead());
        for (int i = 0; i < untimed; i++) {
            upscaler.process(frame);
        }
        long[] nanos = new long[frames];
        for (int i = 0; i < frames; i++) {
            long start = System.nanoTime();
            upscaler.process(frame);
            nanos[i] = System.nanoTime() - start;
        }
        upscaler.reset();
        return LatencyStats.ofNanos(nanos);
    }

    /**
     * The benchmark frame size for a model, {width, height}: 180x320 in the model's own orientation (the public
     * models are exported for 320x180 portrait frames), so no model is resized just for the benchmark.
     */
    public static int[] frameSize(UpscalerInfo info) {
        boolean portrait = info.modelFrameHeight > info.modelFrameWidth;
        return portrait ? new int[] {180, 320} : new int[] {320, 180};
    }

    /** A reproducible noise frame: random pixels exercise the model like real content for timing purposes. */
    public static Frame noiseFrame(int width, int height, long seed) {
        byte[] pixels = new byte[width * height * 3];
        new Random(seed).nextBytes(pixels);
        return Frame.rgb(pixels, width, height);
    }
}
