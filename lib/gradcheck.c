/* lib/gradcheck.c — see gradcheck.h. */
#include "gradcheck.h"

#include <math.h>
#include <stdbool.h>

static const double GRADCHECK_FLOOR = 1e-6;

/* (L(theta_i + h) - L(theta_i - h)) / 2h, with theta_i restored to its exact value. */
static double centred_difference(double *theta_i, LossFunction loss, void *context)
{
    double saved = *theta_i;
    double h = 1e-5 * fmax(1.0, fabs(saved));
    *theta_i = saved + h;
    double loss_plus = loss(context);
    *theta_i = saved - h;
    double loss_minus = loss(context);
    *theta_i = saved;
    return (loss_plus - loss_minus) / (2.0 * h);
}

GradCheckResult gradient_check(const Parameter *p, LossFunction loss, void *context, size_t max_entries)
{
    GradCheckResult result = { 0 };
    size_t stride = max_entries == 0 || max_entries >= p->size ? 1 : p->size / max_entries;
    for (size_t i = 0; i < p->size; i += stride) {
        double analytic = p->grad[i];
        double numeric = centred_difference(&p->value[i], loss, context);
        double scale = fmax(fmax(fabs(analytic), fabs(numeric)), GRADCHECK_FLOOR);
        double relative = fabs(analytic - numeric) / scale;
        bool worse = isnan(relative) || relative > result.max_relative_error;
        if (worse && !isnan(result.max_relative_error)) { /* a NaN, once seen, stays */
            result.max_relative_error = relative;
            result.worst_index = i;
            result.analytic = analytic;
            result.numeric = numeric;
        }
        result.entries_checked++;
    }
    return result;
}
