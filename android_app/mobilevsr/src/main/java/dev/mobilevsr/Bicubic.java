package dev.mobilevsr;

/**
 * Bicubic upscaling of a frame (Keys kernel, a = -0.5, pixel centres aligned, taps outside the frame dropped and
 * the remaining weights renormalised; horizontal pass, then vertical, each rounded to 8 bits). This is the baseline
 * the demo shows next to the model, and it agrees with Pillow's {@code Image.resize(..., BICUBIC)} to within one
 * level (tests/android checks it).
 */
public final class Bicubic {
    private static final double A = -0.5;

    private Bicubic() {
    }

    /** Upscales {@code frame} by an integer factor; the result is RGB (an RGBA input's alpha is dropped). */
    public static Frame upscale(Frame frame, int scale) {
        if (frame == null) {
            throw new IllegalArgumentException("frame is null");
        }
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be at least 1, got " + scale);
        }
        int w = frame.width();
        int h = frame.height();
        int c = frame.channels();
        int outW = w * scale;
        int outH = h * scale;
        Taps horizontal = new Taps(w, outW);
        Taps vertical = new Taps(h, outH);
        byte[] src = frame.pixels();
        byte[] wide = new byte[h * outW * 3];  // horizontal pass: h rows of outW pixels
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < outW; x++) {
                int first = horizontal.first[x];
                int base = x * horizontal.span;
                for (int ch = 0; ch < 3; ch++) {
                    double sum = 0;
                    for (int k = 0; k < horizontal.count[x]; k++) {
                        sum += horizontal.weights[base + k] * (src[(y * w + first + k) * c + ch] & 0xFF);
                    }
                    wide[(y * outW + x) * 3 + ch] = toByte(sum);
                }
            }
        }
        byte[] out = new byte[outH * outW * 3];
        int row = outW * 3;
        for (int y = 0; y < outH; y++) {
            int first = vertical.first[y];
            int base = y * vertical.span;
            for (int i = 0; i < row; i++) {
                double sum = 0;
                for (int k = 0; k < vertical.count[y]; k++) {
                    sum += vertical.weights[base + k] * (wide[(first + k) * row + i] & 0xFF);
                }
                out[y * row + i] = toByte(sum);
            }
        }
        return Frame.rgb(out, outW, outH);
    }

    private static byte toByte(double value) {
        double rounded = Math.floor(value + 0.5);
        return (byte) (rounded < 0 ? 0 : rounded > 255 ? 255 : (int) rounded);
    }

    private static double kernel(double x) {
        double t = Math.abs(x);
        if (t < 1) {
            return ((A + 2) * t - (A + 3)) * t * t + 1;
        }
        if (t < 2) {
            return (((t - 5) * t + 8) * t - 4) * A;
        }
        return 0;
    }

    /** For each output position: the first input tap, the number of taps, and their normalised weights. */
    private static final class Taps {
        final int span = 5;  // the kernel covers at most 5 input pixels when upscaling
        final int[] first;
        final int[] count;
        final double[] weights;

        Taps(int in, int out) {
            first = new int[out];
            count = new int[out];
            weights = new double[out * span];
            double step = (double) in / out;
            for (int o = 0; o < out; o++) {
                double centre = (o + 0.5) * step;
                int lo = Math.max((int) Math.floor(centre - 2 + 0.5), 0);
                int hi = Math.min((int) Math.floor(centre + 2 + 0.5), in);
                double total = 0;
                for (int i = lo; i < hi; i++) {
                    double weight = kernel(i - centre + 0.5);
                    weights[o * span + i - lo] = weight;
                    total += weight;
                }
                for (int i = lo; i < hi; i++) {
                    weights[o * span + i - lo] /= total;
                }
                first[o] = lo;
                count[o] = hi - lo;
            }
        }
    }
}
