package dev.mobilevsr;

import java.io.FileNotFoundException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Streaming x4 video super-resolution of RGB frames with a .tflite model: the Java face of the mobilevsr C++ core,
 * mirroring the Python {@code mobilevsr_rt.Upscaler}. Feed LR frames with {@link #process}; HR frames come back one
 * per input, in order ({@code null} while the model's lookahead fills); {@link #flush} ends the clip.
 *
 * <pre>{@code
 * try (Upscaler up = new Upscaler(modelPath, Accelerator.AUTO)) {
 *     for (Frame lr : clip) {
 *         Frame hr = up.process(lr);
 *         if (hr != null) show(hr);
 *     }
 *     for (Frame hr : up.flush()) show(hr);
 * }
 * }</pre>
 *
 * <p>The model is driven by its embedded contract (docs/model-contract.md), by a recognised public layout, or by
 * {@link Options#contract}. Errors: {@link IllegalArgumentException} for a bad frame, contract or model file,
 * {@link FileNotFoundException} for a missing model, {@link IllegalStateException} for run-time failures (LiteRT,
 * a missing accelerator) and for any call after {@link #close}.
 *
 * <p>The LiteRT runtime (libLiteRt.so and its GPU accelerator plugin) is loaded from {@link Options#litertLibrary},
 * else {@link #setDefaultLiteRtLibrary}, else the {@code mobilevsr.litert.library} system property, else the
 * {@code MOBILEVSR_LITERT_LIBRARY} environment variable; on Android the app passes its
 * {@code applicationInfo.nativeLibraryDir}.
 *
 * <p>Thread safety: all methods may be called from any thread; calls on one upscaler run one at a time. {@link #close}
 * waits for a call in flight, then frees the native model; it is idempotent. An upscaler that is never closed keeps
 * its native memory until the process ends, so use try-with-resources or close it in onDestroy.
 */
public final class Upscaler implements AutoCloseable {
    static {
        System.loadLibrary("mobilevsr_jni");
    }

    /** System property naming libLiteRt.so or its folder. */
    public static final String LITERT_PROPERTY = "mobilevsr.litert.library";
    /** Environment variable naming libLiteRt.so or its folder (the Python face reads the same one). */
    public static final String LITERT_ENVIRONMENT = "MOBILEVSR_LITERT_LIBRARY";

    private static volatile String defaultLiteRtLibrary;

    /**
     * Construction options beyond the model path: the C++ core's options (cpp/src/options.h), as the Python face's
     * keyword arguments. An option never set keeps the core's default. Values are checked by the core when the
     * upscaler opens, so a bad one throws {@link IllegalArgumentException} with the text Python's ValueError carries
     * (e.g. {@code numThreads(0)}: "num_threads must be at least 1 ...").
     */
    public static final class Options {
        // Read field by field, by name, by the JNI bridge (cpp/jni/mobilevsr_jni.cc ReadOptions); null: not set.
        private Accelerator accelerator;
        private Integer numThreads;
        private String litertLibrary;
        private String contract;
        private Double pixelRange;
        private Boolean verbose;
        private Fit fit;
        private Integer tileOverlap;
        private Boolean allowTranspose;
        private TileBatch tileBatch;
        private Boolean profile;

        /** Where the model runs (default AUTO). */
        public Options accelerator(Accelerator value) {
            accelerator = nonNull(value, "accelerator");
            return this;
        }

        /**
         * CPU threads, at least 1 (default: the cores this process may use, its CPU affinity mask, as the Python face
         * and the CLI default to; {@link UpscalerInfo#numThreads} says how many run).
         */
        public Options numThreads(int value) {
            numThreads = value;
            return this;
        }

        /** Path of libLiteRt.so or of the folder holding it and its GPU accelerator plugin. */
        public Options litertLibrary(String value) {
            litertLibrary = value;
            return this;
        }

        /** A model contract (JSON text) used instead of the model's own. */
        public Options contract(String json) {
            contract = json;
            return this;
        }

        /** 1.0 or 255.0: overrides the contract's pixel range. */
        public Options pixelRange(double value) {
            pixelRange = value;
            return this;
        }

        /** Show LiteRT's INFO logging and what the GPU stack prints (otherwise captured into the info JSON). */
        public Options verbose(boolean value) {
            verbose = value;
            return this;
        }

        /** Frames of another size than the model's (default AUTO): resize the model's inputs, or pad/tile. */
        public Options fit(Fit value) {
            fit = nonNull(value, "fit");
            return this;
        }

        /**
         * LR pixels neighbouring tiles share, at least 0 (default: automatic, from the model's receptive field;
         * the info JSON's tile_overlap and overlap_source say what was used).
         */
        public Options tileOverlap(int value) {
            tileOverlap = value;
            return this;
        }

        /** May run a landscape clip through a portrait model transposed, and back (default true). */
        public Options allowTranspose(boolean value) {
            allowTranspose = value;
            return this;
        }

        /** A frame's tiles as one batch or one after another (default AUTO: whichever measured faster). */
        public Options tileBatch(TileBatch value) {
            tileBatch = nonNull(value, "tileBatch");
            return this;
        }

        /**
         * Compile with LiteRT's profiler on and record every model run, for {@link Upscaler#profileReportJson}
         * (costs a little time per run; on the GPU the model runs unprofiled and the report's note says so).
         */
        public Options profile(boolean value) {
            profile = value;
            return this;
        }

        private static <T> T nonNull(T value, String name) {
            if (value == null) {
                throw new IllegalArgumentException(name + " is null");
            }
            return value;
        }
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private long handle;  // the native core object; 0 once closed. Guarded by lock.

    /** An upscaler on the accelerator AUTO picks. */
    public Upscaler(String modelPath) throws FileNotFoundException {
        this(modelPath, new Options());
    }

    /** An upscaler on {@code accelerator}. */
    public Upscaler(String modelPath, Accelerator accelerator) throws FileNotFoundException {
        this(modelPath, new Options().accelerator(accelerator));
    }

    /**
     * Reads and compiles the model.
     *
     * @throws FileNotFoundException if the model file does not exist.
     * @throws IllegalArgumentException if it is not a usable model or the contract is invalid.
     * @throws IllegalStateException if LiteRT or the requested accelerator cannot be loaded.
     */
    public Upscaler(String modelPath, Options options) throws FileNotFoundException {
        if (modelPath == null) {
            throw new IllegalArgumentException("modelPath is null");
        }
        if (options == null) {
            throw new IllegalArgumentException("options is null");
        }
        handle = nativeCreate(modelPath, resolveLiteRtLibrary(options.litertLibrary), options);
    }

    /** The LiteRT library every upscaler without {@link Options#litertLibrary} uses (Android: nativeLibraryDir). */
    public static void setDefaultLiteRtLibrary(String path) {
        defaultLiteRtLibrary = path;
    }

    /**
     * Feeds one LR frame; returns the next HR frame (RGB, scale times the size) or null while the lookahead fills.
     *
     * @throws IllegalArgumentException if the frame is null or its size differs from the clip's earlier frames.
     */
    public Frame process(Frame frame) {
        if (frame == null) {
            throw new IllegalArgumentException("frame is null");
        }
        lock.readLock().lock();
        try {
            return nativeProcess(openHandle(), frame.pixels(), frame.width(), frame.height(), frame.channels());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Ends the clip: returns the HR frames still held back for lookahead. The next frame starts a new clip. */
    public List<Frame> flush() {
        lock.readLock().lock();
        try {
            return Arrays.asList(nativeFlush(openHandle()));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Starts a new clip: drops held frames and zeroes the recurrent state (a new frame size is allowed). */
    public void reset() {
        lock.readLock().lock();
        try {
            nativeReset(openHandle());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Accelerator used, fallback reason, layout, scale, lookahead, and the full info JSON. */
    public UpscalerInfo info() {
        lock.readLock().lock();
        try {
            return nativeInfo(openHandle());
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Where {@link #process}/{@link #flush} time went since opening (or the last clear), measured in C++, as JSON:
     * calls, frames, model_runs, total_ms, model_ms (inside LiteRT's run) and runtime_ms (the SDK's own work).
     * {@code clear} starts afresh afterwards (e.g. after warm-up frames).
     */
    public String timingJson(boolean clear) {
        lock.readLock().lock();
        try {
            return nativeTiming(openHandle(), clear);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The per-op profile of the model runs since opening (or the last clear), as JSON: ops (most expensive first),
     * partitions, stages, runs, accelerator and note; the same report as the Python face's profile_report().
     * Needs {@link Options#profile} (IllegalStateException otherwise). {@code clear} starts a new profile afterwards.
     */
    public String profileReportJson(boolean clear) {
        lock.readLock().lock();
        try {
            return nativeProfileReport(openHandle(), clear);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Number of frames {@link #process} returns null for at the start of a clip. */
    public int lookahead() {
        lock.readLock().lock();
        try {
            return nativeLookahead(openHandle());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        lock.readLock().lock();
        try {
            return handle == 0;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Releases the model and its buffers; later calls throw IllegalStateException. Closing twice is fine. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (handle != 0) {
                long doomed = handle;
                handle = 0;
                nativeDestroy(doomed);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        if (isClosed()) {
            return "Upscaler(closed)";
        }
        UpscalerInfo info = info();
        return "Upscaler(layout=" + info.layout + ", accelerator=" + info.accelerator + ", scale=" + info.scale + ")";
    }

    private long openHandle() {
        if (handle == 0) {
            throw new IllegalStateException("this Upscaler is closed");
        }
        return handle;
    }

    private static String resolveLiteRtLibrary(String explicit) {
        String[] candidates = {explicit, defaultLiteRtLibrary, System.getProperty(LITERT_PROPERTY),
            System.getenv(LITERT_ENVIRONMENT)};
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isEmpty()) {
                return candidate;
            }
        }
        throw new IllegalStateException("no LiteRT library: pass Options.litertLibrary, call "
                + "Upscaler.setDefaultLiteRtLibrary, or set -D" + LITERT_PROPERTY + " or $" + LITERT_ENVIRONMENT
                + " to libLiteRt.so or its folder (Android: applicationInfo.nativeLibraryDir)");
    }

    private static native long nativeCreate(String modelPath, String litertLibrary, Options options)
            throws FileNotFoundException;

    private static native void nativeDestroy(long handle);

    private static native Frame nativeProcess(long handle, byte[] pixels, int width, int height, int channels);

    private static native Frame[] nativeFlush(long handle);

    private static native void nativeReset(long handle);

    private static native UpscalerInfo nativeInfo(long handle);

    private static native int nativeLookahead(long handle);

    private static native String nativeTiming(long handle, boolean clear);

    private static native String nativeProfileReport(long handle, boolean clear);
}
