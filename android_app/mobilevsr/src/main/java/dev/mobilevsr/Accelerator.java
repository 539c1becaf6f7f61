package dev.mobilevsr;

import java.util.Locale;

/** Where the model runs; mirrors the Python face's {@code Accelerator} ({@code accelerator="auto"}, ...). */
public enum Accelerator {
    /** Try the GPU and fall back to the CPU; {@link UpscalerInfo#fallbackReason} says why it fell back. */
    AUTO,
    /** The GPU only: construction fails with {@link IllegalStateException} instead of running on the CPU. */
    GPU,
    /** The CPU (XNNPACK). */
    CPU;

    /** The name the core (and the Python face) uses: "auto", "gpu" or "cpu". */
    public String coreName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
