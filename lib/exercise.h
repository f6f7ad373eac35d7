/* lib/exercise.h — how an exercise stub says "not implemented".
 *
 * Every stub in exercises/ starts with exercise_not_implemented("6.2", __func__): it prints
 * `exercise 6.2 (vae_kl): not implemented` once per process on stderr and raises a flag
 * that the test harness reads, so the test shows as TODO instead of as a wrong number.
 * The stub then returns a safe wrong value (NAN, zeros) and the program goes on.
 * lib/ never calls exercise code; exercise code calls this.
 */
#ifndef VAELAB_EXERCISE_H
#define VAELAB_EXERCISE_H

#include <stdbool.h>

void exercise_not_implemented(const char *exercise, const char *function);

/* The first stub hit in this process ("6.2"), or NULL if none was. */
const char *exercise_first_stub_hit(void);

/* Called at the first stub hit; the test harness uses it to learn of the hit at once,
 * so a test that later crashes on the stub's wrong value is still reported as TODO. */
void exercise_set_stub_hook(void (*hook)(const char *exercise));

#endif
