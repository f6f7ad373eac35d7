/* tests/tools/results_json.h — the graded run as Gradescope's results.json.
 *
 *     {
 *       "score": 6.0, "max_score": 10.0, "execution_time": 1.52,
 *       "output": "what staging the submission said (missing files, ...)",
 *       "tests": [
 *         {"name": "f(x) is the encoder network", "number": "1.1", "score": 0.5,
 *          "max_score": 0.5, "status": "passed", "output": ""},
 *         ...
 *       ]
 *     }
 *
 * One entry per graded test, with its share of its exercise's points and its diagnostics
 * (capped); a test from a hidden suite (tests/NN-topic/test_hidden_*.c, left out of the
 * student release) also gets "visibility": "after_due_date", so Gradescope shows it only
 * then. A chapter that did not build has instead one entry per exercise, scored 0,
 * whose output is what the compiler said. So the entries always add up to the score and
 * max_score at the top, which are the score table's totals.
 */
#ifndef VAELAB_RESULTS_JSON_H
#define VAELAB_RESULTS_JSON_H

#include "error.h"
#include "gradebook.h"
#include "run.h"

/* Can `path` be written? (Checked before the tests run, so a typo costs no wait.) */
bool results_json_writable(const char *path, Error *err);

/* Write the file atomically; `notes` (may be NULL) becomes the top-level "output". */
bool results_json_write(const char *path, const Run *run, const Gradebook *book, double seconds,
                        const char *notes, Error *err);

#endif
