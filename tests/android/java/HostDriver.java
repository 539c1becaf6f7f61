import dev.mobilevsr.Accelerator;
import dev.mobilevsr.Benchmark;
import dev.mobilevsr.Bicubic;
import dev.mobilevsr.BundledModel;
import dev.mobilevsr.Fit;
import dev.mobilevsr.Frame;
import dev.mobilevsr.LatencyStats;
import dev.mobilevsr.TileBatch;
import dev.mobilevsr.Upscaler;
import dev.mobilevsr.UpscalerInfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Host-JVM driver of the Java API for tests/android: runs one scenario and writes what happened (frames as raw RGB
 * files, outcomes as "key<TAB>value" lines); the pytest side makes every assertion.
 *
 * <pre>
 * stream MODEL THREADS ACCELERATOR IN_DIR COUNT WIDTH HEIGHT CHANNELS OUT_DIR [OPTION=VALUE...]
 *                                                     feed IN_DIR/NNNN.rgb, flush (OPTION: an Options setter)
 * invalid MODEL OPTION=VALUE...                       open with each option alone: the outcome of each
 * errors MODEL IN_FRAME WIDTH HEIGHT                  error mapping and close semantics
 * bicubic IN_FRAME WIDTH HEIGHT SCALE OUT_FRAME       Bicubic.upscale
 * stats NANOS...                                      LatencyStats.ofNanos
 * bench MODEL THREADS WIDTH HEIGHT WARMUP FRAMES      Benchmark.run on a noise frame
 * catalog FILE_NAME...                                BundledModel.parse
 * argb IN_FRAME WIDTH HEIGHT CHANNELS OUT_FRAME       Frame.toArgb / Frame.fromArgb round trip
 * defaults MODEL                                     an Upscaler with every option at its default: its info
 * </pre>
 * The LiteRT library comes from -Dmobilevsr.litert.library, as an app would set it.
 */
public final class HostDriver {
    private HostDriver() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "stream":
                stream(args);
                break;
            case "errors":
                errors(args);
                break;
            case "invalid":
                for (int i = 2; i < args.length; i++) {
                    String option = args[i];
                    report(option, () -> new Upscaler(args[1], set(new Upscaler.Options(), option)));
                }
                break;
            case "bicubic": {
                Frame lr = Frame.rgb(Files.readAllBytes(Paths.get(args[1])), Integer.parseInt(args[2]),
                        Integer.parseInt(args[3]));
                Frame hr = Bicubic.upscale(lr, Integer.parseInt(args[4]));
                Files.write(Paths.get(args[5]), hr.pixels());
                System.out.println("size\t" + hr.width() + "x" + hr.height() + "x" + hr.channels());
                break;
            }
            case "stats": {
                long[] nanos = new long[args.length - 1];
                for (int i = 1; i < args.length; i++) {
                    nanos[i - 1] = Long.parseLong(args[i]);
                }
                LatencyStats stats = LatencyStats.ofNanos(nanos);
                System.out.println("stats\t" + stats.frames + "\t" + stats.minMs + "\t" + stats.medianMs + "\t"
                        + stats.p90Ms);
                break;
            }
            case "bench":
                bench(args);
                break;
            case "defaults":
                try (Upscaler up = new Upscaler(args[1])) {
                    UpscalerInfo info = up.info();
                    System.out.println("defaults\t" + info.accelerator + "\t" + info.numThreads);
                    System.out.println("info\t" + info.json);
                }
                break;
            case "argb": {
                int width = Integer.parseInt(args[2]);
                int height = Integer.parseInt(args[3]);
                Frame frame = new Frame(Files.readAllBytes(Paths.get(args[1])), width, height,
                        Integer.parseInt(args[4]));
                int[] argb = frame.toArgb();
                Frame back = Frame.fromArgb(argb, width, height);
                System.out.println("argb\t" + argb.length + "\t" + Integer.toHexString(argb[0]) + "\t"
                        + Integer.toHexString(argb[argb.length - 1]));
                Files.write(Paths.get(args[5]), back.pixels());
                break;
            }
            case "catalog":
                for (int i = 1; i < args.length; i++) {
                    BundledModel model = BundledModel.parse(args[i]);
                    System.out.println(args[i] + "\t" + (model == null ? "null" : model.name + "\t"
                            + model.precision));
                }
                break;
            default:
                throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }

    private static void stream(String[] args) throws IOException {
        String model = args[1];
        int threads = Integer.parseInt(args[2]);
        Accelerator accelerator = Accelerator.valueOf(args[3]);
        Path in = Paths.get(args[4]);
        int count = Integer.parseInt(args[5]);
        int width = Integer.parseInt(args[6]);
        int height = Integer.parseInt(args[7]);
        int channels = Integer.parseInt(args[8]);
        Path out = Paths.get(args[9]);
        List<String> log = new ArrayList<>();
        Upscaler.Options options = new Upscaler.Options().accelerator(accelerator).numThreads(threads);
        boolean profile = false;
        for (int i = 10; i < args.length; i++) {
            set(options, args[i]);
            profile |= args[i].equals("profile=true");
        }
        try (Upscaler up = new Upscaler(model, options)) {
            UpscalerInfo info = up.info();
            Files.write(out.resolve("info.json"), info.json.getBytes(StandardCharsets.UTF_8));
            log.add("accelerator\t" + info.accelerator);
            log.add("layout\t" + info.layout);
            log.add("scale\t" + info.scale);
            log.add("lookahead\t" + info.lookahead + "\t" + up.lookahead());
            log.add("model_frame\t" + info.modelFrameHeight + "x" + info.modelFrameWidth);
            int written = 0;
            for (int i = 0; i < count; i++) {
                byte[] pixels = Files.readAllBytes(in.resolve(String.format("%04d.rgb", i)));
                Frame hr = up.process(new Frame(pixels, width, height, channels));
                log.add("process\t" + i + "\t" + (hr == null ? "null" : hr.width() + "x" + hr.height() + "x"
                        + hr.channels()));
                if (hr != null) {
                    Files.write(out.resolve(String.format("hr_%04d.rgb", written++)), hr.pixels());
                }
            }
            List<Frame> rest = up.flush();
            log.add("flush\t" + rest.size());
            Files.write(out.resolve("timing.json"), up.timingJson(false).getBytes(StandardCharsets.UTF_8));
            Files.write(out.resolve("info_after.json"), up.info().json.getBytes(StandardCharsets.UTF_8));
            if (profile) {
                Files.write(out.resolve("profile.json"), up.profileReportJson(false).getBytes(StandardCharsets.UTF_8));
            }
            for (Frame hr : rest) {
                Files.write(out.resolve(String.format("hr_%04d.rgb", written++)), hr.pixels());
            }
        }
        Files.write(out.resolve("log.tsv"), log, StandardCharsets.UTF_8);
    }

    private static void bench(String[] args) throws IOException {
        Upscaler.Options options = new Upscaler.Options().accelerator(Accelerator.CPU)
                .numThreads(Integer.parseInt(args[2]));
        int width = Integer.parseInt(args[3]);
        int height = Integer.parseInt(args[4]);
        try (Upscaler up = new Upscaler(args[1], options)) {
            LatencyStats stats = Benchmark.run(up, Benchmark.noiseFrame(width, height, 7), Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]));
            System.out.println("bench\t" + stats.frames + "\t" + stats.minMs + "\t" + stats.medianMs + "\t"
                    + stats.p90Ms);
            // Benchmark.run leaves a fresh clip behind: the first frame again waits for the lookahead.
            Frame next = up.process(Benchmark.noiseFrame(width, height, 8));
            System.out.println("after\t" + (next == null ? "null" : "frame") + "\t" + up.lookahead());
        }
    }

    /** Applies "setter=value" (e.g. "tileOverlap=6", "fit=TILE") to `options` through its public setter. */
    private static Upscaler.Options set(Upscaler.Options options, String assignment) {
        String[] parts = assignment.split("=", 2);
        String value = parts[1];
        switch (parts[0]) {
            case "accelerator":
                return options.accelerator(Accelerator.valueOf(value));
            case "numThreads":
                return options.numThreads(Integer.parseInt(value));
            case "litertLibrary":
                return options.litertLibrary(value);
            case "contract":
                return options.contract(value);
            case "pixelRange":
                return options.pixelRange(Double.parseDouble(value));
            case "verbose":
                return options.verbose(Boolean.parseBoolean(value));
            case "fit":
                return options.fit(Fit.valueOf(value));
            case "tileOverlap":
                return options.tileOverlap(Integer.parseInt(value));
            case "allowTranspose":
                return options.allowTranspose(Boolean.parseBoolean(value));
            case "tileBatch":
                return options.tileBatch(TileBatch.valueOf(value));
            case "profile":
                return options.profile(Boolean.parseBoolean(value));
            default:
                throw new IllegalArgumentException("unknown option " + parts[0]);
        }
    }

    /** Runs `call` and prints the outcome: "ok", or the exception's class and message. */
    private static void report(String key, ThrowingCall call) {
        String outcome;
        try {
            outcome = "ok\t" + call.run();
        } catch (Throwable e) {
            outcome = e.getClass().getName() + "\t" + String.valueOf(e.getMessage()).replace('\n', ' ');
        }
        System.out.println(key + "\t" + outcome);
    }

    private interface ThrowingCall {
        Object run() throws Exception;
    }

    private static void errors(String[] args) throws Exception {
        String model = args[1];
        byte[] pixels = Files.readAllBytes(Paths.get(args[2]));
        int width = Integer.parseInt(args[3]);
        int height = Integer.parseInt(args[4]);
        Upscaler.Options cpu = new Upscaler.Options().accelerator(Accelerator.CPU).numThreads(2);

        report("missing_model", () -> new Upscaler(model + ".missing", cpu));
        report("not_a_model", () -> new Upscaler(args[2], cpu));  // the raw frame file is no .tflite
        report("bad_contract", () -> new Upscaler(model, new Upscaler.Options().accelerator(Accelerator.CPU)
                .contract("{\"contract_version\": 1}")));
        report("bad_litert", () -> new Upscaler(model, new Upscaler.Options().accelerator(Accelerator.CPU)
                .litertLibrary("/nonexistent/libLiteRt.so")));
        report("short_pixels", () -> Frame.rgb(new byte[10], width, height));
        report("two_channels", () -> new Frame(new byte[width * height * 2], width, height, 2));

        Upscaler up = new Upscaler(model, cpu);
        report("null_frame", () -> up.process(null));
        report("first_frame", () -> describe(up.process(Frame.rgb(pixels, width, height))));
        // A different size mid-clip (the core's check), then a clean restart after reset().
        report("size_changed", () -> up.process(Frame.rgb(new byte[(width / 2) * height * 3], width / 2, height)));
        report("reset", () -> {
            up.reset();
            return "done";
        });
        report("after_reset", () -> describe(up.process(Frame.rgb(pixels, width, height))));
        report("flush", () -> up.flush().size());
        report("closed_before", up::isClosed);
        up.close();
        report("closed_after", up::isClosed);
        report("close_again", () -> {
            up.close();
            return "done";
        });
        report("process_after_close", () -> up.process(Frame.rgb(pixels, width, height)));
        report("flush_after_close", up::flush);
        report("reset_after_close", () -> {
            up.reset();
            return "done";
        });
        report("info_after_close", up::info);
        report("lookahead_after_close", up::lookahead);

        // close() from another thread while process() runs: the call in flight finishes, later calls see "closed".
        Upscaler shared = new Upscaler(model, cpu);
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<String> worker = new AtomicReference<>("none");
        Thread thread = new Thread(() -> {
            List<String> outcomes = new ArrayList<>();
            try {
                while (outcomes.size() < 100_000) {  // until the close; the bound only guards against a hang
                    started.countDown();
                    Frame hr = shared.process(Frame.rgb(pixels, width, height));
                    outcomes.add(describe(hr));
                }
            } catch (IllegalStateException e) {
                outcomes.add("IllegalStateException:" + e.getMessage());
            }
            worker.set(String.join(",", outcomes));
        });
        thread.start();
        started.await();
        shared.close();
        thread.join();
        System.out.println("concurrent_close\tok\t" + worker.get());
        report("concurrent_closed", shared::isClosed);
    }

    private static String describe(Frame frame) {
        return frame == null ? "null" : frame.width() + "x" + frame.height() + "x" + frame.channels();
    }
}
