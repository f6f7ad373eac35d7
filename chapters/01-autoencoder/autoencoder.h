/* chapters/01-autoencoder/autoencoder.h — the auto-encoder (Louppe L11, "Auto-encoders",
 * "Deep auto-encoders", "Interpolation"; CSC413 L10, "Autoencoder").
 *
 * An auto-encoder is a composite function made of an encoder f from the data space
 * X = R^p to a latent space Z = R^d and a decoder g back to X, such that g o f is close
 * to the identity on the data. Training minimises the empirical reconstruction loss
 *
 *     theta_f, theta_g = argmin (1/N) sum_i ||x_i - g(f(x_i; theta_f); theta_g)||^2.
 *
 * Here f and g are multi-layer perceptrons (lib/mlp.h):
 *     f: x (p) -> hidden (h, ReLU) -> z (d, linear),
 *     g: z (d) -> hidden (h, ReLU) -> xhat (p, sigmoid, so pixels stay in [0, 1]).
 * With hidden = 0 each map is a single dense layer.
 * All functions work on mini-batches: row i of X (B, p) is the example x_i.
 */
#ifndef VAELAB_AUTOENCODER_H
#define VAELAB_AUTOENCODER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "layers.h"
#include "mlp.h"
#include "optimizer.h"
#include "parameters.h"
#include "rng.h"

typedef struct AutoencoderShape {
    size_t p;                     /* data dimension (784 for MNIST) */
    size_t hidden;                /* width of the hidden layer of f and of g (0: none) */
    size_t d;                     /* code size, the dimension of Z */
    Activation hidden_activation; /* ReLU in the programs; tanh keeps gradient checks smooth */
    Activation output_activation; /* sigmoid for pixels in [0, 1] */
} AutoencoderShape;

typedef struct Autoencoder {
    AutoencoderShape shape;
    Mlp encoder;              /* f( . ; theta_f): R^p -> R^d */
    Mlp decoder;              /* g( . ; theta_g): R^d -> R^p */
    double *grad_code;        /* dL/dz (max_batch, d), scratch of the backward pass */
    double *grad_output;      /* dL/dxhat (max_batch, p), scratch of the backward pass */
    double *latent;           /* (max_batch, d), codes built by hand, e.g. for interpolation */
    double *zeros;            /* (max_batch, max(p, d)), all 0: what the stubs of 1.1 return */
    ParameterList parameters; /* theta_f then theta_g, for optimisers and gradient checks */
} Autoencoder;

/* Build f and g with random weights (lib's initialisation); max_batch bounds B. */
bool ae_init(Autoencoder *ae, AutoencoderShape shape, size_t max_batch, Rng *rng, Error *err);
void ae_free(Autoencoder *ae);

/* Exercise 1.1.  Z = f(X; theta_f)       returns Z (B, d), owned by the encoder  */
const double *ae_encode(Autoencoder *ae, const double *X, size_t B);
/* Exercise 1.1.  Xhat = g(Z; theta_g)    returns Xhat (B, p), owned by the decoder */
const double *ae_decode(Autoencoder *ae, const double *Z, size_t B);

/* Exercise 1.2.  L = (1/B) sum_i ||x_i - g(f(x_i))||^2 on X (B, p); keeps what the
 * backward pass needs (X must stay unchanged until ae_backward). */
double ae_forward(Autoencoder *ae, const double *X, size_t B);

/* Exercise 1.3.  Accumulate dL/dtheta_g and dL/dtheta_f for the last ae_forward(X, B):
 * the chain rule from the loss back, dL/dxhat -> g's layers -> dL/dz -> f's layers.
 *                                                                              X (B, p) */
void ae_backward(Autoencoder *ae, const double *X, size_t B);

/* Exercise 1.4.  One step of gradient descent on L(X): zero the gradients, forward,
 * backward, let the optimiser update theta; returns L before the update. */
double ae_train_step(Autoencoder *ae, Optimizer *optimizer, const double *X, size_t B);

/* Exercise 1.5.  Interpolation in latent space (Louppe L11): for each t_k,
 *     xhat(t_k) = g((1 - t_k) f(x_a) + t_k f(x_b)).
 *                         out (T, p), X_ends (2, p) = rows x_a and x_b, t (T), T <= max_batch */
void ae_interpolate(Autoencoder *ae, double *out, const double *X_ends, const double *t, size_t T);

/* Z = f(X) for all N rows of a data set, max_batch rows at a time.    Z (N, d), X (N, p) */
void ae_encode_all(Autoencoder *ae, double *Z, const double *X, size_t N);

/* ---- training with lib/train.h ------------------------------------------------------ */

/* run_epoch and fit take what a mini-batch does as a BatchFunction, with the model as its
 * context; ae_train_batch and ae_evaluate_batch are those functions for an auto-encoder
 * and its optimiser (the labels go unused):
 *
 *     AutoencoderTrainer trainer = { &ae, &optimizer };
 *     fit(&history, &train, &test, ae_train_batch, ae_evaluate_batch, &trainer, &options, err);
 */
typedef struct AutoencoderTrainer {
    Autoencoder *ae;
    Optimizer *optimizer; /* used by ae_train_batch only */
} AutoencoderTrainer;

/* L(X) = (1/B) sum_i ||x_i - g(f(x_i))||^2, then one optimiser step on theta (ae_train_step) */
double ae_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);

/* L(X) = (1/B) sum_i ||x_i - g(f(x_i))||^2 with theta unchanged (ae_forward) */
double ae_evaluate_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);

#endif
