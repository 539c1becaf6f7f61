package dev.mobilevsr;

import java.util.Locale;

/** How a frame's tiles run; mirrors the Python face's {@code TileBatch} ({@code tile_batch="auto"}, ...). */
public enum TileBatch {
    /** Times both ways once per frame size and keeps the faster (the info JSON's strategy.batch_choice says why). */
    AUTO,
    /** As one batch whenever the graph allows it. */
    ON,
    /** One after another. */
    OFF;

    /** The name the core (and the Python face) uses: "auto", "on" or "off". */
    public String coreName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
