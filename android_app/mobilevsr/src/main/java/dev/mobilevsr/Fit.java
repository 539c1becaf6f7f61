package dev.mobilevsr;

import java.util.Locale;

/** Frames of another size than the model's; mirrors the Python face's {@code Fit} ({@code fit="auto"}, ...). */
public enum Fit {
    /** Resize the model's inputs when its graph allows it, else pad a smaller frame or tile a larger one. */
    AUTO,
    /** Only resize: a model that cannot be resized fails with {@link IllegalArgumentException}. */
    RESIZE,
    /** Always pad or tile at the model's own size. */
    TILE;

    /** The name the core (and the Python face) uses: "auto", "resize" or "tile". */
    public String coreName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
