/**
 * Data layer: reading IDX image/label files (Fashion-MNIST), a synthetic data set for tests, and
 * allocation-free batching.
 *
 * <p>Data files come from outside the program and are never trusted: every size field is checked before it
 * is used, and every failure is a {@link dev.whittle.data.DataFileException} whose message starts with the file
 * and says which field was wrong, what was expected and what was found, so a user can fix the file without
 * reading code.
 */
package dev.whittle.data;
