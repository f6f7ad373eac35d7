/* tests/tools/run.h — what the runner learned from the suites it ran.
 *
 * One Result per TAP test line (renumbered into one stream), plus one per suite that
 * could not be run: a suite that was not built (its chapter did not compile or link) or
 * that failed outside its tests. The gradebook (gradebook.h) turns these into points; the
 * report (report.h) and results.json (results_json.h) print them.
 */
#ifndef VAELAB_RUN_H
#define VAELAB_RUN_H

#include <stdbool.h>
#include <stddef.h>

enum { RESULT_OUTPUT_CAP = 2000 }; /* characters of diagnostics kept per test */

typedef struct Result {
    char chapter[64];  /* the suite's folder: "01-autoencoder", or "lib", "data", ... */
    char exercise[16]; /* "1.3", or "" for a test that carries no points */
    char name[200];
    char suite[512];   /* the binary that ran it, so a student can run it alone */
    bool passed;
    bool todo;         /* it hit a stub: "not implemented" */
    bool not_built;    /* its suite was not built: the chapter did not compile or link */
    bool output_cut;   /* the diagnostics were longer than RESULT_OUTPUT_CAP */
    char output[RESULT_OUTPUT_CAP + 1];
} Result;

typedef struct Run {
    Result *results;
    size_t count, capacity;
    const char *root;    /* the repository: chapters/NN-topic/{exercises.def,README.md} */
    const char *sources; /* where the graded chapter code is: exercises/, solutions/, ... */
} Run;

#endif
