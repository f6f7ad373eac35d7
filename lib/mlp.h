/* lib/mlp.h — a multi-layer perceptron: a list of dense layers, each followed by its
 * activation.  With sizes (n_0, n_1, ..., n_L) it computes, for l = 1..L,
 *
 *     a_l = W_l^T h_{l-1} + b_l,     h_l = sigma_l(a_l),     h_0 = x,
 *
 * where sigma_l is the hidden activation for l < L and the output activation for l = L.
 * The forward pass keeps every a_l and h_l, because the backward pass needs them:
 *
 *     dL/da_l = sigma_l'(a_l) * dL/dh_l,   dL/dW_l += h_{l-1} (dL/da_l)^T,
 *     dL/db_l += dL/da_l,                  dL/dh_{l-1} = W_l dL/da_l.
 *
 * Both passes work on mini-batches of at most `max_batch` rows.
 */
#ifndef VAELAB_MLP_H
#define VAELAB_MLP_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "layers.h"
#include "parameters.h"
#include "rng.h"

typedef struct MlpLayer {
    Dense dense;
    Activation activation;
    double *pre;       /* a_l (max_batch, out) */
    double *post;      /* h_l (max_batch, out) */
    double *grad_pre;  /* dL/da_l (max_batch, out), scratch of the backward pass */
    double *grad_post; /* dL/dh_l (max_batch, out), scratch of the backward pass */
} MlpLayer;

typedef struct Mlp {
    size_t layer_count;
    MlpLayer *layers;
    size_t max_batch;
    const double *input; /* h_0 of the last forward pass: the caller keeps it alive */
    size_t batch;        /* the size of the last forward pass */
} Mlp;

/* sizes (size_count >= 2): n_0 inputs, ..., n_L outputs.  Weights as in dense_init with
 * the He gain before a ReLU and gain 1 otherwise. */
bool mlp_init(Mlp *mlp, const size_t *sizes, size_t size_count, Activation hidden,
              Activation output, size_t max_batch, Rng *rng, Error *err);
void mlp_free(Mlp *mlp);
size_t mlp_input_size(const Mlp *mlp);
size_t mlp_output_size(const Mlp *mlp);
/* h_L of the last forward pass (B, n_L): what mlp_forward returned, until the next one. */
const double *mlp_output(const Mlp *mlp);
/* h_L for a batch X (B, n_0), B <= max_batch; the result (B, n_L) lives in the Mlp until
 * the next forward pass. X must stay unchanged until mlp_backward. */
const double *mlp_forward(Mlp *mlp, const double *X, size_t B);
/* Accumulate dL/dtheta for every layer from dL/dh_L = dY (B, n_L) of the last forward
 * pass, and dX += dL/dx (B, n_0) unless dX is NULL. */
void mlp_backward(double *dX, Mlp *mlp, const double *dY);
/* Register every W_l, b_l (dense_parameters) as prefix1.W, prefix1.b, prefix2.W, ... */
void mlp_parameters(Mlp *mlp, ParameterList *list, const char *prefix);

#endif
