/**
 * Compute kernels over flat float arrays in NCHW layout. Each kernel states its shapes in its Javadoc and
 * takes an index range so callers can split it over threads on disjoint outputs. The {@code *Scalar}
 * classes are the references every faster kernel is tested against. Nothing here knows about models.
 */
package dev.whittle.kernels;
