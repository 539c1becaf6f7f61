package dev.mobilevsr;

/**
 * What an {@link Upscaler} runs: the accelerator in use, why it fell back, the layout and streaming parameters. The
 * typed fields are the ones an app shows; {@link #json} is the core's full info document, the same JSON as the
 * Python face's {@code Upscaler.info} (tensors, contract, state pairs), for logs and bug reports.
 */
public final class UpscalerInfo {
    /** The core's full info as JSON text. */
    public final String json;
    /** "gpu" or "cpu". */
    public final String accelerator;
    /** Whether every op runs on {@link #accelerator}. */
    public final boolean fullyAccelerated;
    /** Why AUTO fell back to the CPU, or null. */
    public final String fallbackReason;
    /** CPU threads in use (by default the cores this process may use). */
    public final int numThreads;
    /** The recognised layout ("recurrent", "sliding_recurrent", "stacked_chunk", "single_frame", "contract"...). */
    public final String layout;
    /** Upscaling factor: HR frames are scale times wider and taller than LR frames. */
    public final int scale;
    /** Frames of delay at clip start: {@link Upscaler#process} returns null this many times. */
    public final int lookahead;
    /** 1.0 (pixels enter as p/255) or 255.0 (as p). */
    public final double pixelRange;
    /** The LR frame height the model was exported for (other sizes resize the model when its graph allows). */
    public final int modelFrameHeight;
    /** The LR frame width the model was exported for. */
    public final int modelFrameWidth;

    UpscalerInfo(String json, String accelerator, boolean fullyAccelerated, String fallbackReason, int numThreads,
                 String layout, int scale, int lookahead, double pixelRange, int modelFrameHeight,
                 int modelFrameWidth) {
        this.json = json;
        this.accelerator = accelerator;
        this.fullyAccelerated = fullyAccelerated;
        this.fallbackReason = fallbackReason;
        this.numThreads = numThreads;
        this.layout = layout;
        this.scale = scale;
        this.lookahead = lookahead;
        this.pixelRange = pixelRange;
        this.modelFrameHeight = modelFrameHeight;
        this.modelFrameWidth = modelFrameWidth;
    }

    @Override
    public String toString() {
        return "UpscalerInfo(accelerator=" + accelerator + ", threads=" + numThreads + ", layout=" + layout + ", scale=" + scale
                + (fallbackReason == null ? "" : ", fallback=" + fallbackReason) + ")";
    }
}
