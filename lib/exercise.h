/* lib/exercise.h — how an exercise stub says "not implemented".
 *
 * Every stub in exercises/ starts with exercise_not_implemented("6.2", __func__): it prints
 * `exercise 6.2 (vae_kl): not implemented` once per process on stderr and raises a flag
 * that the test harness reads, so the test shows as not implemented instead of as a
 * wrong number.
 * The stub then returns a safe wrong value (NAN, zeros) and the program goes on.
 * lib/ never calls exercise code; exercise code calls this.
 */
#ifndef VAELAB_EXERCISE_H
#define VAELAB_EXERCISE_H

#include <stdbool.h>

void exercise_not_implemented(const char *exercise, const char *function);

/* The first stub hit in this process ("6.2"), or NULL if none was. */
const char *exercise_first_stub_hit(void);

/* How the TAP line of a test that hit a stub ends: "not ok 3 - [1.3] name (not
 * implemented)", written by the harness and read by the runner. It is part of the
 * description, not a TAP directive: a "# TODO" directive would tell TAP tools (prove)
 * that the failure is expected, and count the test as passing. */
#define NOT_IMPLEMENTED " (not implemented)"

/* Called at the first stub hit; the test harness uses it to learn of the hit at once,
 * so a test that later crashes on the stub's wrong value is still reported as not
 * implemented. */
void exercise_set_stub_hook(void (*hook)(const char *exercise));

#endif
