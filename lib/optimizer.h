/* lib/optimizer.h — the two optimisers the chapters use, over a ParameterList.
 *
 * SGD with momentum (heavy ball), for every scalar theta with gradient g:
 *     v <- mu v - eta g,        theta <- theta + v.
 * Adam (Kingma & Ba, 2015), at step t = 1, 2, ...:
 *     m <- beta1 m + (1 - beta1) g,          v <- beta2 v + (1 - beta2) g^2,
 *     theta <- theta - eta (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon).
 */
#ifndef VAELAB_OPTIMIZER_H
#define VAELAB_OPTIMIZER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "parameters.h"

typedef enum OptimizerKind { OPTIMIZER_SGD, OPTIMIZER_ADAM } OptimizerKind;

typedef struct Optimizer {
    OptimizerKind kind;
    ParameterList parameters;
    double learning_rate;   /* eta */
    double momentum;        /* mu (SGD) */
    double beta1, beta2;    /* Adam's decay rates, 0.9 and 0.999 */
    double epsilon;         /* Adam's 1e-8 */
    size_t step_count;      /* t */
    double *first[MAX_PARAMETER_TENSORS];  /* v (SGD) or m (Adam), per tensor */
    double *second[MAX_PARAMETER_TENSORS]; /* Adam's v, per tensor (NULL for SGD) */
} Optimizer;

bool optimizer_init_sgd(Optimizer *opt, const ParameterList *parameters, double learning_rate,
                        double momentum, Error *err);
bool optimizer_init_adam(Optimizer *opt, const ParameterList *parameters, double learning_rate,
                         Error *err);
/* One update of every parameter from its current gradient. */
void optimizer_step(Optimizer *opt);
void optimizer_free(Optimizer *opt);

#endif
