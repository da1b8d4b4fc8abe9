/**
 * Native bindings: the OpenCL runtime through lwjgl-opencl with FFM memory. Nothing here knows about
 * models; the library's OpenCL backend builds on it.
 */
package dev.whittle.nativebind;
