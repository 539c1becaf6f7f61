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
