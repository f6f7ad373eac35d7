/* lib/layers.h — the layers every model is built from, each with its backward pass.
 *
 * Dense layer (Louppe L11 notation): h = W^T x + b, with W stored (in, out) so that row
 * i of W holds the weights leaving input i.  On a mini-batch X of B rows (B, in) this is
 * the matrix product H = X W + 1 b^T, which is how the loops compute it.
 *
 * Backward passes follow the chain rule and ACCUMULATE (+=) into every gradient they
 * are given, parameters and inputs alike, so a tensor that feeds two branches simply
 * receives both contributions.  Zero them first (parameters_zero_grad, vector_zero).
 */
#ifndef VAELAB_LAYERS_H
#define VAELAB_LAYERS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "parameters.h"
#include "rng.h"

typedef struct Dense {
    size_t in, out;
    double *W, *b;   /* (in, out), (out) */
    double *dW, *db; /* their gradients, same shapes */
} Dense;

/* W_ij ~ N(0, gain^2 / in) (gain^2 = 2 before a ReLU: He et al. 2015), b = 0. */
bool dense_init(Dense *layer, size_t in, size_t out, double gain, Rng *rng, Error *err);
void dense_free(Dense *layer);
/* H = X W + 1 b^T                            H (B, out), X (B, in) */
void dense_forward(double *H, const Dense *layer, const double *X, size_t B);
/* dW += X^T dH,  db += sum_rows dH,  dX += dH W^T (skipped when dX is NULL)
 *                                            dX (B, in), X (B, in), dH (B, out) */
void dense_backward(double *dX, Dense *layer, const double *X, const double *dH, size_t B);
/* Register W and b (named prefix.W, prefix.b) with an optimiser's list. */
void dense_parameters(Dense *layer, ParameterList *list, const char *prefix);

typedef enum Activation {
    ACTIVATION_IDENTITY, /* y = a */
    ACTIVATION_RELU,     /* y = max(0, a) */
    ACTIVATION_SIGMOID,  /* y = 1 / (1 + exp(-a)) */
    ACTIVATION_TANH      /* y = tanh(a) */
} Activation;

const char *activation_name(Activation activation);
/* y_i = sigma(a_i) elementwise                           Y, A (n) */
void activation_forward(double *Y, Activation activation, const double *A, size_t n);
/* dA_i += sigma'(a_i) dY_i, with sigma' written from the output y where that is simplest:
 * ReLU 1[a > 0], sigmoid y (1 - y), tanh 1 - y^2.        dA, A, Y, dY (n) */
void activation_backward(double *dA, Activation activation, const double *A, const double *Y,
                         const double *dY, size_t n);

/* The logistic function, computed without overflow for large |a|. */
double sigmoid(double a);
/* softplus(a) = log(1 + exp(a)), computed without overflow: max(a, 0) + log1p(exp(-|a|)). */
double softplus(double a);

#endif
