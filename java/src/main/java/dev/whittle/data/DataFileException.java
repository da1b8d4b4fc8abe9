package dev.whittle.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A data file that cannot be used as it is: missing, not the expected format, or inconsistent.
 *
 * <p>Unchecked because callers can rarely recover (the file has to be fixed or installed), and the message is
 * built to be shown to the user as is: it always starts with the file path, then names the problem, and for a
 * bad field the field name with expected and found values.
 */
public final class DataFileException extends RuntimeException {

    /** The Debian package that installs Fashion-MNIST into {@link FashionMnist#DEFAULT_DIR}. */
    public static final String FASHION_MNIST_INSTALL = "sudo apt-get install -y dataset-fashion-mnist";

    private final Path file;

    /** {@code problem} is the part after "{@code <file>: }". */
    public DataFileException(Path file, String problem) {
        this(file, problem, null);
    }

    public DataFileException(Path file, String problem, Throwable cause) {
        super(Objects.requireNonNull(file, "file") + ": " + problem, cause);
        this.file = file;
    }

    /** A header or content field with a value outside what the format allows. */
    public static DataFileException field(Path file, String field, String expected, String found) {
        return new DataFileException(file, "field '" + field + "' expected " + expected + " but found " + found);
    }

    /** A file that does not exist, with no hint where to get it. */
    public static DataFileException missing(Path file) {
        return new DataFileException(file, "file not found");
    }

    /** A missing Fashion-MNIST file: the fix is one apt command, so say it. */
    public static DataFileException missingFashionMnist(Path file) {
        return new DataFileException(
                file,
                "file not found; Fashion-MNIST is packaged for Debian, install it with: " + FASHION_MNIST_INSTALL);
    }

    /** The file the problem is in, for callers that want to point at it without parsing the message. */
    public Path file() {
        return file;
    }
}
