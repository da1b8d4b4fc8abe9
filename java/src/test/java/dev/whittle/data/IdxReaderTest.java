package dev.whittle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    @TempDir
    Path dir;

    private DataFileException fails(Path file) {
        return assertThrows(DataFileException.class, () -> IdxReader.readImages(file));
    }

    private static void assertMessage(DataFileException e, Path file, String... parts) {
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": "), "message should start with the path: " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "message should contain '" + p + "': " + m);
        }
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {true, false})
    void gzipAndRawFilesRoundTripPixelsAndLabels(boolean gzip) {
        byte[] pixels = IdxFiles.rampPixels(3 * 4 * 5);
        Path img = IdxFiles.write(dir.resolve("img"), IdxFiles.images(3, 4, 5, pixels), gzip);
        Path lab = IdxFiles.write(dir.resolve("lab"), IdxFiles.labels(new byte[] {7, 0, (byte) 200}), gzip);

        IdxImages images = IdxReader.readImages(img);
        assertEquals(3, images.count());
        assertEquals(4, images.rows());
        assertEquals(5, images.cols());
        assertEquals(20, images.imageSize());
        assertArrayEquals(pixels, images.pixels());
        assertEquals(pixels[2 * 20 + 3 * 5 + 4] & 0xff, images.pixel(2, 3, 4));
        assertArrayEquals(new byte[] {7, 0, (byte) 200}, IdxReader.readLabels(lab));
    }

    @Test
    void emptyImageFileIsValid() {
        Path img = IdxFiles.write(dir.resolve("img"), IdxFiles.images(0, 28, 28, new byte[0]), true);
        assertEquals(0, IdxReader.readImages(img).count());
    }

    @Test
    void labelFilePassedAsImagesNamesMagicFieldAndExpectedVsFound() {
        Path lab = IdxFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), IdxFiles.labels(new byte[40]), true);
        assertMessage(fails(lab), lab, "field 'magic' expected 0x00000803 but found 0x00000801", "an IDX label file");
    }

    @Test
    void imageFilePassedAsLabelsNamesMagicField() {
        Path img = IdxFiles.write(dir.resolve("img"), IdxFiles.images(1, 2, 2, new byte[4]), false);
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readLabels(img));
        assertMessage(e, img, "field 'magic' expected 0x00000801 but found 0x00000803");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {true, false})
    void truncatedPixelsSayExpectedBytesAndHowManyWereFound(boolean gzip) {
        byte[] full = IdxFiles.images(10, 28, 28, new byte[10 * 28 * 28]);
        byte[] cut = Arrays.copyOf(full, 16 + 1234);
        Path img = IdxFiles.write(dir.resolve("img"), cut, gzip);
        assertMessage(
                fails(img),
                img,
                "truncated",
                "header says 10 images of 28x28 (7840 bytes) but the file ends after 1234 bytes of pixels");
    }

    @Test
    void gzipStreamCutShortIsReportedAsTruncation() {
        byte[] pixels = IdxFiles.rampPixels(100 * 28 * 28);
        byte[] gz = IdxFiles.gzip(IdxFiles.images(100, 28, 28, pixels));
        Path img = IdxFiles.write(dir.resolve("img"), Arrays.copyOf(gz, gz.length / 2), false);
        assertMessage(fails(img), img, "truncated", "78400 bytes", "bytes of pixels");
    }

    @Test
    void truncatedLabelsNameExpectedAndFoundCounts() {
        byte[] cut = Arrays.copyOf(IdxFiles.labels(new byte[50]), 8 + 20);
        Path lab = IdxFiles.write(dir.resolve("lab"), cut, true);
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readLabels(lab));
        assertMessage(e, lab, "header says 50 labels", "ends after 20 bytes of labels");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {true, false})
    void truncatedHeaderNamesTheIncompleteField(boolean gzip) {
        byte[] header = IdxFiles.header(IdxReader.IMAGES_MAGIC, 10, 28, 28);
        Path img = IdxFiles.write(dir.resolve("img"), Arrays.copyOf(header, 9), gzip);
        assertMessage(fails(img), img, "truncated header", "field 'rows'", "9 of 16 header bytes");
    }

    @Test
    void emptyFileIsATruncatedHeader() {
        Path img = IdxFiles.write(dir.resolve("img"), new byte[0], false);
        assertMessage(fails(img), img, "truncated header", "field 'magic'", "0 of 16");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {true, false})
    void trailingBytesAfterThePromisedPixelsAreRejected(boolean gzip) {
        byte[] content = IdxFiles.concat(IdxFiles.images(2, 3, 3, new byte[18]), new byte[] {1, 2, 3});
        Path img = IdxFiles.write(dir.resolve("img"), content, gzip);
        assertMessage(fails(img), img, "trailing data", "header says 2 images of 3x3 (18 bytes)", "3 more bytes");
    }

    @Test
    void absurdRowsAreRejectedNamingTheField() {
        Path img = IdxFiles.write(dir.resolve("img"), IdxFiles.header(IdxReader.IMAGES_MAGIC, 1, 5000, 28), true);
        assertMessage(fails(img), img, "field 'rows' expected 1..4096 but found 5000");
    }

    @Test
    void zeroOrNegativeColsAreRejectedNamingTheField() {
        Path img = IdxFiles.write(dir.resolve("img"), IdxFiles.header(IdxReader.IMAGES_MAGIC, 1, 28, -3), false);
        assertMessage(fails(img), img, "field 'cols' expected 1..4096 but found -3");
    }

    @Test
    void negativeCountIsRejectedNamingTheField() {
        Path img = IdxFiles.write(dir.resolve("img"), IdxFiles.header(IdxReader.IMAGES_MAGIC, -1, 28, 28), false);
        assertMessage(fails(img), img, "field 'count'", "found -1");
    }

    @Test
    void countWhosePixelTotalOverflowsAnArrayIsRejectedBeforeAllocating() {
        Path img = IdxFiles.write(
                dir.resolve("img"), IdxFiles.header(IdxReader.IMAGES_MAGIC, 2_000_000_000, 4096, 4096), false);
        assertMessage(fails(img), img, "field 'count' expected at most 127 images of 4096x4096", "found 2000000000");
    }

    @Test
    void hugeButRepresentableCountInATinyFileIsTruncationNotOutOfMemory() {
        Path img = IdxFiles.write(
                dir.resolve("img"),
                IdxFiles.concat(IdxFiles.header(IdxReader.IMAGES_MAGIC, 2_000_000, 32, 32), new byte[5]),
                true);
        assertMessage(fails(img), img, "truncated", "ends after 5 bytes of pixels");
    }

    @Test
    void garbageThatIsNeitherGzipNorIdxSaysNotAGzipFile() {
        Path img = IdxFiles.write(dir.resolve("img.gz"), "<html>404 Not Found</html>".getBytes(), false);
        assertMessage(fails(img), img, "not a gzip file (", "0x3c68");
    }

    @Test
    void corruptGzipDataIsReportedAsSuch() {
        byte[] gz = IdxFiles.gzip(IdxFiles.images(20, 28, 28, IdxFiles.rampPixels(20 * 28 * 28)));
        for (int i = 20; i < gz.length - 8; i++) {
            gz[i] ^= (byte) 0x5a;
        }
        Path img = IdxFiles.write(dir.resolve("img"), gz, false);
        DataFileException e = fails(img);
        assertTrue(e.getMessage().startsWith(img + ": "), e.getMessage());
    }

    @Test
    void missingFileNamesThePathWithoutDatasetAdvice() {
        Path img = dir.resolve("nope.gz");
        DataFileException e = fails(img);
        assertMessage(e, img, "file not found");
        assertEquals(img, e.file());
        assertTrue(!e.getMessage().contains("apt-get"), e.getMessage());
    }

    @Test
    void directoryIsRejectedNamingThePath() {
        assertMessage(fails(dir), dir, "is a directory");
    }
}
