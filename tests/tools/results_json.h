/* tests/tools/results_json.h — the graded run as Gradescope's results.json.
 *
 *     {
 *       "score": 6, "max_score": 10, "execution_time": 1.52,
 *       "output": "what staging the submission said (missing files, ...)",
 *       "tests": [
 *         {"name": "1.1 the encoder f and the decoder g", "number": "1.1", "score": 1,
 *          "max_score": 1, "status": "passed", "output": "2 of its 2 tests pass; ..."},
 *         ...
 *         {"name": "f(x) is the encoder network", "number": "1.1", "status": "passed",
 *          "output": ""},
 *         ...
 *       ]
 *     }
 *
 * One entry per exercise with its points, whole numbers (all of them when every test of
 * it passes, gradebook.h), then one entry per graded test, unscored, with its status and
 * diagnostics (capped). A test from a hidden suite (tests/NN-topic/test_hidden_*.c, left
 * out of the student release) gets "visibility": "after_due_date", so Gradescope shows it
 * only then, and so does the entry of its exercise. A chapter that did not build has
 * only its exercises' entries, scored 0, whose output is what the compiler said. So the
 * scored entries add up, exactly, to the score and max_score at the top, which are the
 * score table's totals.
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
