package dev.mobilevsr;

/**
 * A video frame as packed bytes: {@code height} rows of {@code width} pixels, top row first, each pixel
 * {@code channels} bytes, R G B (3 channels) or R G B A (4 channels, alpha ignored), no row padding. This is the
 * layout of a Python {@code HxWx3}/{@code HxWx4} uint8 array and of an Android ARGB_8888 bitmap copied with
 * {@code copyPixelsToBuffer}.
 *
 * <p>The upscaler's outputs are always 3-channel RGB frames. A frame does not copy its array: do not change the
 * bytes while a call that uses the frame is running.
 */
public final class Frame {
    private final byte[] pixels;
    private final int width;
    private final int height;
    private final int channels;

    /**
     * Wraps packed pixels.
     *
     * @throws IllegalArgumentException if the sizes are not positive, {@code channels} is not 3 or 4, or the array
     *     does not hold exactly {@code width * height * channels} bytes.
     */
    public Frame(byte[] pixels, int width, int height, int channels) {
        if (pixels == null) {
            throw new IllegalArgumentException("frame pixels are null");
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame sizes must be positive, got " + width + "x" + height);
        }
        if (channels != 3 && channels != 4) {
            throw new IllegalArgumentException("frames must have 3 (RGB) or 4 (RGBA) channels, got " + channels);
        }
        long expected = (long) width * height * channels;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("a " + width + "x" + height + "x" + channels + " frame needs "
                    + expected + " bytes, got " + pixels.length);
        }
        this.pixels = pixels;
        this.width = width;
        this.height = height;
        this.channels = channels;
    }

    /** A packed RGB frame (3 bytes per pixel). */
    public static Frame rgb(byte[] pixels, int width, int height) {
        return new Frame(pixels, width, height, 3);
    }

    /**
     * A frame from packed ARGB ints (Android's {@code Bitmap.getPixels} layout: 0xAARRGGBB, row-major, no padding).
     */
    public static Frame fromArgb(int[] argb, int width, int height) {
        if (argb == null || argb.length != (long) width * height) {
            throw new IllegalArgumentException("need " + width + "x" + height + " ARGB ints, got "
                    + (argb == null ? "null" : String.valueOf(argb.length)));
        }
        byte[] rgb = new byte[argb.length * 3];
        for (int i = 0; i < argb.length; i++) {
            rgb[3 * i] = (byte) (argb[i] >> 16);
            rgb[3 * i + 1] = (byte) (argb[i] >> 8);
            rgb[3 * i + 2] = (byte) argb[i];
        }
        return rgb(rgb, width, height);
    }

    /** The pixels as opaque ARGB ints (for Android's {@code Bitmap.createBitmap(int[], w, h, ARGB_8888)}). */
    public int[] toArgb() {
        int[] argb = new int[width * height];
        for (int i = 0, p = 0; i < argb.length; i++, p += channels) {
            argb[i] = 0xFF000000 | (pixels[p] & 0xFF) << 16 | (pixels[p + 1] & 0xFF) << 8 | (pixels[p + 2] & 0xFF);
        }
        return argb;
    }

    /** The packed pixel bytes (the frame's own array, not a copy). */
    public byte[] pixels() {
        return pixels;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** 3 (RGB) or 4 (RGBA). */
    public int channels() {
        return channels;
    }

    @Override
    public String toString() {
        return "Frame(" + width + "x" + height + "x" + channels + ")";
    }
}
