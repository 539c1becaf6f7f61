package dev.mobilevsr;

/** Where the model runs; mirrors the Python face's {@code accelerator="auto" | "gpu" | "cpu"}. */
public enum Accelerator {
    /** Try the GPU and fall back to the CPU; {@link UpscalerInfo#fallbackReason} says why it fell back. */
    AUTO("auto"),
    /** The GPU only: construction fails with {@link IllegalStateException} instead of running on the CPU. */
    GPU("gpu"),
    /** The CPU (XNNPACK). */
    CPU("cpu");

    private final String coreName;

    Accelerator(String coreName) {
        this.coreName = coreName;
    }

    /** The name the core (and the Python face) uses: "auto", "gpu" or "cpu". */
    public String coreName() {
        return coreName;
    }
}
