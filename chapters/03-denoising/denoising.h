/* chapters/03-denoising/denoising.h — the denoising auto-encoder, its weakness, and
 * sampling from an auto-encoder's latent space (Louppe L11, "Denoising auto-encoders",
 * "Sampling from an AE's latent space").
 *
 * A denoising auto-encoder is the composition h = g o f : X -> X trained so that a
 * perturbation x~ of a signal x is restored to x, h(x~) ~ x.  Training minimises
 *
 *     L = (1/B) sum_i ||h(x~_i) - x_i||^2,      x~_i drawn afresh from x_i at every step:
 *
 * the input is the corrupted x~, the target the clean x.  Under this quadratic loss the
 * best h is the posterior mean h(x~) = E[x | x~], which lies between the modes of a
 * multi-modal p(x | x~), where x itself is unlikely; a Gaussian mixture on the real line
 * shows it in closed form.  Last, the decoder g of an auto-encoder becomes a generator once
 * a density q(z) = N(mu^, Sigma^), Sigma^ diagonal, is fitted to the codes z = f(x):
 * sample z ~ q, decode g(z).
 *
 * Pixels are in [0, 1] (lib/dataset.h), and so is every noise level here: sigma is in the
 * units of x.  p is the masking probability (not the dimension of X, which the slides
 * also call p; here the dimension is `dim`).
 */
#ifndef VAELAB_DENOISING_H
#define VAELAB_DENOISING_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "mlp.h"
#include "optimizer.h"
#include "parameters.h"
#include "rng.h"

/* ---- corruptions x -> x~ --------------------------------------------------------------- */

typedef enum CorruptionKind {
    CORRUPTION_MASK,    /* masking noise: each pixel set to 0 with probability p */
    CORRUPTION_GAUSSIAN /* additive Gaussian noise of standard deviation sigma */
} CorruptionKind;

typedef struct Corruption {
    CorruptionKind kind;
    double level; /* p in [0, 1] for masking, sigma >= 0 for Gaussian noise (pixel units) */
} Corruption;

/* Exercise 3.1.  Masking noise, independently for every entry j:
 *     x~_j = 0 with probability p,   x~_j = x_j otherwise.      X_tilde, X (n) */
void corrupt_mask(double *X_tilde, const double *X, size_t n, double p, Rng *rng);

/* Exercise 3.2.  Additive Gaussian noise:
 *     x~_j = x_j + sigma eps_j,   eps_j ~ N(0, 1) independently.      X_tilde, X (n) */
void corrupt_gaussian(double *X_tilde, const double *X, size_t n, double sigma, Rng *rng);

/* x~ ~ c(x~ | x): corrupt_mask or corrupt_gaussian at c's level.     X_tilde, X (n) */
void corrupt(double *X_tilde, const double *X, size_t n, Corruption corruption, Rng *rng);

/* The level is valid: 0 <= p <= 1 for masking, 0 <= sigma < inf for Gaussian noise. */
bool corruption_check(Corruption corruption, Error *err);

/* "masking p = 0.5" or "Gaussian sigma = 0.5", for tables and figure captions. */
void corruption_describe(char *buffer, size_t size, Corruption corruption);

/* ---- the denoising auto-encoder h = g o f ---------------------------------------------- */

/* h = g o f as one network X -> X (lib/mlp.h) whose layers are f's, then g's, shared and
 * not copied: a pass of h computes g(f(x)) in f's and g's own buffers (so f(x~) is left in
 * f's output) and its backward pass accumulates into their gradients.  f and g must
 * outlive h; free h with dae_compose_free, never mlp_free.   f: R^dim -> R^d, g: R^d -> R^dim */
bool dae_compose(Mlp *h, const Mlp *f, const Mlp *g, Error *err);
void dae_compose_free(Mlp *h);

typedef struct Denoiser {
    Mlp *h;                   /* h = g o f : R^dim -> R^dim, the caller's (any such network) */
    Corruption corruption;    /* how x~ is drawn from x */
    size_t dim;               /* dimension of X */
    double *X_tilde;          /* (max_batch, dim): the corrupted batch x~ of the last step */
    double *grad_output;      /* dL/dh (max_batch, dim), scratch of the backward pass */
    ParameterList parameters; /* h's W and b, layer by layer: for optimisers and gradient checks */
} Denoiser;

/* Train the caller's h (input size = output size) against `corruption`; h must outlive
 * the denoiser, which lists h's parameters as h1.W, h1.b, h2.W, ... */
bool dae_init(Denoiser *dae, Mlp *h, Corruption corruption, Error *err);
void dae_free(Denoiser *dae);

/* h(x~) of the last pass of h (by dae_loss or dae_train_step), until the next.  (B, dim) */
const double *dae_reconstruction(const Denoiser *dae);

/* Exercise 3.3.  The denoising loss, input x~ and target x:
 *     L = (1/B) sum_i ||h(x~_i) - x_i||^2.                    X_tilde, X (B, dim) */
double dae_loss(Denoiser *dae, const double *X_tilde, const double *X, size_t B);

/* Exercise 3.4.  One step of gradient descent on L with a fresh corruption: draw
 * x~ ~ c(x~ | x) into dae->X_tilde, zero the gradients, L, dL/dh = (2/B)(h(x~) - x) back
 * through h, let the optimiser (over dae->parameters) update; returns L before the update.
 *                                                             X (B, dim), B <= max_batch */
double dae_train_step(Denoiser *dae, Optimizer *optimizer, const double *X, size_t B, Rng *rng);

/* ---- training with lib/train.h ---------------------------------------------------------- */

/* run_epoch and fit take what a mini-batch does as a BatchFunction; dae_train_batch and
 * dae_evaluate_batch are those functions for a denoiser (the labels go unused):
 *
 *     DenoiserTrainer trainer = { &dae, &optimizer, &rng, &test_rng };
 *     fit(&history, &train, &test, dae_train_batch, dae_evaluate_batch, &trainer, &options, err);
 */
typedef struct DenoiserTrainer {
    Denoiser *dae;
    Optimizer *optimizer; /* used by dae_train_batch only */
    Rng *rng;             /* x~ of the training steps */
    Rng *test_rng;        /* x~ of the evaluation, apart, so that evaluating does not change training */
} DenoiserTrainer;

/* One dae_train_step on X with x~ drawn from trainer->rng; returns L before the update. */
double dae_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);

/* L = (1/B) sum_i ||h(x~_i) - x_i||^2 with x~ drawn from trainer->test_rng, theta unchanged. */
double dae_evaluate_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);

/* ---- the weakness: h(x~) = E[x | x~] on a Gaussian mixture ------------------------------- */

enum { MIXTURE_COMPONENTS = 2 };

/* p(x) = sum_k pi_k N(x; mu_k, s_k^2) on the real line (s_k = 0: a point mass at mu_k). */
typedef struct GaussianMixture {
    double weight[MIXTURE_COMPONENTS]; /* pi_k > 0, summing to 1 */
    double mean[MIXTURE_COMPONENTS];   /* mu_k */
    double std[MIXTURE_COMPONENTS];    /* s_k >= 0 */
} GaussianMixture;

/* x_n ~ p(x) for n < count: pick k with probability pi_k, then x = mu_k + s_k eps.  x (count) */
void mixture_sample(double *x, const GaussianMixture *mixture, size_t count, Rng *rng);
/* E[x] = sum_k pi_k mu_k */
double mixture_mean(const GaussianMixture *mixture);
/* p(x) = sum_k pi_k N(x; mu_k, s_k^2), for s_k > 0 */
double mixture_density(const GaussianMixture *mixture, double x);

/* Exercise 3.5.  Bayes' rule for x ~ p(x) (the prior mixture) and x~ = x + sigma eps: the
 * posterior p(x | x~) is again a mixture of Gaussians, with, for each component k,
 *     pi'_k  = pi_k N(x~; mu_k, s_k^2 + sigma^2) / sum_l pi_l N(x~; mu_l, s_l^2 + sigma^2),
 *     mu'_k  = (sigma^2 mu_k + s_k^2 x~) / (s_k^2 + sigma^2),
 *     s'_k^2 = s_k^2 sigma^2 / (s_k^2 + sigma^2);
 * so E[x | x~] = mixture_mean(posterior).  Needs s_k^2 + sigma^2 > 0 for every k. */
void mixture_posterior(GaussianMixture *posterior, const GaussianMixture *prior, double sigma,
                       double x_tilde);

/* ---- sampling from an auto-encoder's latent space ----------------------------------------- */

/* q(z) = N(mu^, Sigma^) with Sigma^ = diag(sigma^_1^2, ..., sigma^_d^2). */
typedef struct LatentGaussian {
    size_t d;
    double *mean;     /* mu^ (d) */
    double *variance; /* the diagonal of Sigma^ (d) */
} LatentGaussian;

bool latent_gaussian_init(LatentGaussian *q, size_t d, Error *err);
void latent_gaussian_free(LatentGaussian *q);

/* Exercise 3.6.  Fit q to N codes by maximum likelihood, coordinate by coordinate:
 *     mu^_j = (1/N) sum_i z_ij,     sigma^_j^2 = (1/N) sum_i (z_ij - mu^_j)^2.    Z (N, d) */
void latent_gaussian_fit(LatentGaussian *q, const double *Z, size_t N);

/* Exercise 3.7.  Draw count codes z ~ q:  z_ij = mu^_j + sigma^_j eps_ij,  eps_ij ~ N(0, 1).
 *                                                                                 Z (count, d) */
void latent_gaussian_sample(double *Z, const LatentGaussian *q, size_t count, Rng *rng);

#endif
