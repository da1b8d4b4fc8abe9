package dev.whittle.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DatasetTest {

    @Test
    void imageSizeIsChannelsTimesHeightTimesWidth() {
        Dataset d = new Dataset("d", 2, 3, 4, 5, 2, new float[2 * 60], new int[2]);
        assertEquals(60, d.imageSize());
        assertTrue(d.toString().contains("2 x 3x4x5"), d.toString());
    }

    @Test
    void wrongImagesLengthNamesExpectedAndFound() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> new Dataset("d", 2, 1, 2, 2, 2, new float[7], new int[2]));
        assertTrue(e.getMessage().contains("images.length expected 8"), e.getMessage());
        assertTrue(e.getMessage().contains("but found 7"), e.getMessage());
    }

    @Test
    void wrongLabelsLengthNamesExpectedAndFound() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> new Dataset("d", 2, 1, 2, 2, 2, new float[8], new int[3]));
        assertTrue(e.getMessage().contains("labels.length expected 2 but found 3"), e.getMessage());
    }

    @Test
    void labelOutsideClassesNamesIndexRangeAndValue() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> new Dataset("d", 2, 1, 2, 2, 3, new float[8], new int[] {0, 3}));
        assertTrue(e.getMessage().contains("labels[1] expected 0..2 but found 3"), e.getMessage());
    }

    @Test
    void nonPositiveShapeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset("d", 0, 0, 2, 2, 3, new float[0], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("d", 0, 1, 2, 2, 0, new float[0], new int[0]));
    }
}
