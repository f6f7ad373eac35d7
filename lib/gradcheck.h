/* lib/gradcheck.h — checking a backward pass against the definition of the derivative.
 *
 * For each checked scalar theta_i of a parameter tensor, the centred difference
 *     n_i = (L(theta + h e_i) - L(theta - h e_i)) / (2 h),   h = 1e-5 max(1, |theta_i|),
 * has error O(h^2) for a smooth L, and is compared with the analytic gradient a_i by
 *     rel_i = |a_i - n_i| / max(|a_i|, |n_i|, floor).
 * The floor (1e-6 by default) keeps a gradient that is zero up to rounding noise from
 * counting as a 100% error. A correct backward pass gives rel ~ 1e-9 here; a wrong one,
 * rel ~ 1e-1. vaelab's tests demand max_i rel_i < 1e-6 on smooth functions.
 */
#ifndef VAELAB_GRADCHECK_H
#define VAELAB_GRADCHECK_H

#include <stddef.h>

#include "parameters.h"

/* Recompute the loss from the current parameter values (no side effect on gradients). */
typedef double (*LossFunction)(void *context);

typedef struct GradCheckResult {
    double max_relative_error; /* max_i rel_i over the checked entries */
    size_t worst_index;        /* the i where it occurred */
    double analytic, numeric;  /* a_i and n_i there */
    size_t entries_checked;
} GradCheckResult;

/* Compare p->grad (already computed by the caller's backward pass) with centred
 * differences of `loss` for up to `max_entries` entries of p, spread evenly over the
 * tensor (0 = all). Every perturbed value is restored exactly. */
GradCheckResult gradient_check(const Parameter *p, LossFunction loss, void *context, size_t max_entries);

#endif
