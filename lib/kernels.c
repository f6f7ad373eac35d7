/* lib/kernels.c — see kernels.h. */
#include "kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const path_names[] = { "textbook", "portable", "avx2" };
enum { PATH_COUNT = sizeof path_names / sizeof path_names[0] };

static bool path_chosen;
static KernelPath current_path;

bool kernel_path_available(KernelPath path)
{
    switch (path) {
    case KERNELS_TEXTBOOK:
    case KERNELS_PORTABLE:
        return true;
    case KERNELS_AVX2:
#if KERNELS_HAVE_AVX2
        return __builtin_cpu_supports("avx2"); /* also checks the OS saves the YMM registers */
#else
        return false;
#endif
    }
    return false;
}

const char *kernel_path_name(KernelPath path)
{
    return (unsigned)path < PATH_COUNT ? path_names[path] : "unknown";
}

/* VAELAB_KERNELS names a path; an unknown name or a path this CPU lacks is reported once
 * on stderr (a kernel has no Error to fill) and the best path runs instead. */
static KernelPath choose_path(void)
{
    KernelPath best = kernel_path_available(KERNELS_AVX2) ? KERNELS_AVX2 : KERNELS_PORTABLE;
    const char *wanted = getenv("VAELAB_KERNELS");
    if (!wanted || !*wanted)
        return best;
    for (unsigned k = 0; k < PATH_COUNT; k++)
        if (strcmp(wanted, path_names[k]) == 0) {
            if (kernel_path_available((KernelPath)k))
                return (KernelPath)k;
            fprintf(stderr, "vaelab: VAELAB_KERNELS=%s: this CPU cannot run it; using %s\n",
                    wanted, kernel_path_name(best));
            return best;
        }
    fprintf(stderr, "vaelab: VAELAB_KERNELS=%s is not one of textbook, portable, avx2; using %s\n",
            wanted, kernel_path_name(best));
    return best;
}

KernelPath kernel_path(void)
{
    if (!path_chosen) {
        current_path = choose_path();
        path_chosen = true;
    }
    return current_path;
}

bool kernel_path_set(KernelPath path)
{
    if (!kernel_path_available(path))
        return false;
    current_path = path;
    path_chosen = true;
    return true;
}
