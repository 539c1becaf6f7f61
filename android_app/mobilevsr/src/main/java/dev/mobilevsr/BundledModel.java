package dev.mobilevsr;

/**
 * A bundled model file and what its name says. Bundled models come from python/mobilevsr_rt/models/ and are named
 * {@code <model>_<precision>.tflite}, precision one of fp32, fp16, int8 ({@code swrn_int8.tflite}); a name without
 * a precision suffix is fp32.
 */
public final class BundledModel {
    /** Numeric precision of a model's weights and activations. */
    public enum Precision { FP32, FP16, INT8 }

    public final String fileName;
    public final String name;
    public final Precision precision;

    private BundledModel(String fileName, String name, Precision precision) {
        this.fileName = fileName;
        this.name = name;
        this.precision = precision;
    }

    /** Parses a .tflite file name; returns null for anything that is not a .tflite file. */
    public static BundledModel parse(String fileName) {
        if (fileName == null || !fileName.endsWith(".tflite") || fileName.length() == ".tflite".length()) {
            return null;
        }
        String stem = fileName.substring(0, fileName.length() - ".tflite".length());
        int underscore = stem.lastIndexOf('_');
        if (underscore > 0) {
            String suffix = stem.substring(underscore + 1);
            for (Precision precision : Precision.values()) {
                if (precision.name().equalsIgnoreCase(suffix)) {
                    return new BundledModel(fileName, stem.substring(0, underscore), precision);
                }
            }
        }
        return new BundledModel(fileName, stem, Precision.FP32);
    }

    @Override
    public String toString() {
        return name + " " + precision.name().toLowerCase(java.util.Locale.ROOT);
    }
}
