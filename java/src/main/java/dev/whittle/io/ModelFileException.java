package dev.whittle.io;

import java.nio.file.Path;

/** A model file that cannot be read: the message starts with the file and names the field, expected vs found. */
public final class ModelFileException extends RuntimeException {
    private final Path file;

    public ModelFileException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public ModelFileException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
