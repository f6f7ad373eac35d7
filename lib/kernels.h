/* lib/kernels.h — which loops do the arithmetic: the textbook loops, or the fast ones.
 *
 * The hot loops (the three matrix products of lib/matrix.c, Adam's update in
 * lib/optimizer.c) exist twice.  The textbook loop is the definition: one sum per output,
 * added in the order the formula reads.  The fast loop computes the same sums, in the
 * same order, for several outputs at once (register blocking), so that each number it
 * loads is used several times and the additions of different outputs overlap.  No sum is
 * reordered and no multiply-add is fused (-ffp-contract=off), so the two give the same
 * bits; tests/lib/test_kernels.c checks that with memcmp.
 *
 * The fast loops are compiled twice: for the baseline instruction set of the target
 * ("portable": SSE2 on x86-64) and, on x86, for AVX2 as well (four doubles per
 * instruction).  One binary runs everywhere and picks AVX2 on a CPU that has it; never
 * AVX-512, which Valgrind cannot run.  VAELAB_KERNELS=textbook|portable|avx2 in the
 * environment forces a path (to time it, or to compare a program's outputs across paths).
 */
#ifndef VAELAB_KERNELS_H
#define VAELAB_KERNELS_H

#include <stdbool.h>

typedef enum KernelPath { KERNELS_TEXTBOOK, KERNELS_PORTABLE, KERNELS_AVX2 } KernelPath;

/* The path in use: VAELAB_KERNELS if set (and runnable here), else AVX2 where the CPU
 * has it, else portable. */
KernelPath kernel_path(void);
/* Use `path` from now on; false (and nothing changes) if this CPU cannot run it. */
bool kernel_path_set(KernelPath path);
bool kernel_path_available(KernelPath path);
const char *kernel_path_name(KernelPath path); /* "textbook", "portable", "avx2" */

/* For the files that hold kernels.  KERNEL_AVX2 compiles one function for AVX2;
 * KERNEL_BODY makes the fast loop a function body inlined into each compiled copy, so
 * that each copy is generated for its own instruction set. */
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define KERNELS_HAVE_AVX2 1
#define KERNEL_AVX2 __attribute__((target("avx2")))
#else
#define KERNELS_HAVE_AVX2 0
#define KERNEL_AVX2
#endif
#if defined(__GNUC__) || defined(__clang__)
#define KERNEL_BODY static inline __attribute__((always_inline))
#else
#define KERNEL_BODY static inline
#endif

#endif
