package dev.mobilevsr;

import java.util.Arrays;

/**
 * Summary of per-frame latencies in milliseconds: min, median and 90th percentile (percentiles interpolate
 * linearly between the two nearest ranks, as numpy's default {@code percentile} does).
 */
public final class LatencyStats {
    public final int frames;
    public final double minMs;
    public final double medianMs;
    public final double p90Ms;

    private LatencyStats(int frames, double minMs, double medianMs, double p90Ms) {
        this.frames = frames;
        this.minMs = minMs;
        this.medianMs = medianMs;
        this.p90Ms = p90Ms;
    }

    /** Summarises latencies given in nanoseconds (at least one). */
    public static LatencyStats ofNanos(long[] nanos) {
        if (nanos == null || nanos.length == 0) {
            throw new IllegalArgumentException("no latencies to summarise");
        }
        double[] ms = new double[nanos.length];
        for (int i = 0; i < nanos.length; i++) {
            ms[i] = nanos[i] / 1e6;
        }
        Arrays.sort(ms);
        return new LatencyStats(ms.length, ms[0], percentile(ms, 50), percentile(ms, 90));
    }

    /** Percentile q (0..100) of sorted values, linear between closest ranks. */
    static double percentile(double[] sorted, double q) {
        double rank = q / 100.0 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }

    @Override
    public String toString() {
        return String.format("min %.1f ms, median %.1f ms, p90 %.1f ms over %d frames", minMs, medianMs, p90Ms,
                frames);
    }
}
