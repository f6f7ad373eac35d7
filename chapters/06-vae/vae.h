/* chapters/06-vae/vae.h — the variational auto-encoder, step by step (Louppe L11,
 * "Variational auto-encoders", "Reparameterization trick", "Step-by-step example";
 * CS228 notes ch. 7; CSC413 L10; Wu L6).
 *
 * A VAE is a deep latent variable model with a prescribed prior p(z) = N(0, I), a
 * generative network (decoder) p_theta(x | z) and an inference network (encoder)
 * q_phi(z | x) that approximates the posterior. Both are trained together by maximising
 * the evidence lower bound of every digit,
 *
 *     ELBO(x; theta, phi) = E_{q_phi(z|x)} [log p_theta(x | z)] - KL(q_phi(z|x) || p(z))
 *                         <= log p_theta(x),
 *
 * which here is minimised as a loss, the negative ELBO, averaged over a mini-batch:
 *
 *     NELBO = R + KL,   R  = -(1/B) sum_i log p_theta(x_i | z_i),   z_i ~ q_phi(z | x_i),
 *                       KL =  (1/B) sum_i KL(q_phi(z | x_i) || p(z)).
 *
 * The networks of the slide's step-by-step example (one hidden layer h each):
 *
 *   encoder q_phi(z | x) = N(z; mu(x; phi), sigma^2(x; phi) I),  phi = {W_4, b_4, W_5, b_5, W_6, b_6}
 *       h = ReLU(W_4^T x + b_4),   mu = W_5^T h + b_5,   log sigma^2 = W_6^T h + b_6
 *   reparameterisation
 *       z = mu + sigma (.) eps,    eps ~ N(0, I),   sigma = exp(1/2 log sigma^2)
 *   decoder p_theta(x | z),                                      theta = {W_1, b_1, W_2, b_2, W_3, b_3}
 *       h = ReLU(W_1^T z + b_1), then either
 *       Gaussian (the slide):  p_theta(x | z) = N(x; mu(z), sigma^2(z) I),
 *                              mu = W_2^T h + b_2,   log sigma^2 = W_3^T h + b_3
 *       Bernoulli (PyTorch's example, Kingma & Welling): p_theta(x_j = 1 | z) = sigmoid(s_j),
 *                              the logits s = W_2^T h + b_2 (W_3, b_3 unused)
 *
 * Every log sigma^2 a head produces is clamped (vae_clamp) before use: to
 * [VAE_LOG_VARIANCE_MIN, VAE_LOG_VARIANCE_MAX] = [-30, 30] in the encoder, so that exp()
 * never overflows into inf and NaN, and to [log_variance_floor, 30] in the Gaussian
 * decoder, whose per-pixel variance otherwise collapses on pixels that are exactly 0
 * (README section 6: the likelihood of a point mass is unbounded). A third decoder,
 * VAE_DECODER_GAUSSIAN_SHARED, learns one variance for all pixels instead of the W_3 head:
 * the fix that also trains well (README section 6).
 *
 * Conventions (docs/design.md): row i of a batch is example i; shapes in comments;
 * backward passes accumulate (+=); the loss is a mean over the batch and a sum over the
 * pixels and latent coordinates. The per-example pieces (the reparameterisation, the KL,
 * the log-likelihoods) are written for one example's math and take a `scale` where their
 * gradient is accumulated, so that the batch-level exercises decide the 1/B and the sign.
 */
#ifndef VAELAB_VAE_H
#define VAELAB_VAE_H

#include <stdbool.h>
#include <stddef.h>

#include "dataset.h"
#include "error.h"
#include "layers.h"
#include "mlp.h"
#include "optimizer.h"
#include "parameters.h"
#include "rng.h"
#include "train.h"

/* exp(30) ~ 1.1e13 and exp(-30) ~ 9.4e-14: far beyond anything a trained head produces,
 * and far from overflow (exp overflows at 709.8) or from a variance that rounds to 0. */
#define VAE_LOG_VARIANCE_MIN (-30.0)
#define VAE_LOG_VARIANCE_MAX 30.0

/* The Gaussian decoder's default floor on log sigma^2: the variance of the quantisation
 * of a grey level, (1/255)^2 / 12 (a uniform over one of 256 levels), log = -13.567.
 * The data are 256 levels, not a continuous density; no model can honestly claim less
 * spread than the rounding that made them (README section 6). */
#define VAE_GAUSSIAN_LOG_VARIANCE_FLOOR (-13.5674337401)

typedef enum VaeDecoderKind {
    VAE_DECODER_BERNOULLI, /* p_theta(x | z) = prod_j Bernoulli(x_j; sigmoid(s_j)) on logits s */
    VAE_DECODER_GAUSSIAN,  /* p_theta(x | z) = N(x; mu(z), diag sigma^2(z)): the slide's W_3 head */
    VAE_DECODER_GAUSSIAN_SHARED /* p_theta(x | z) = N(x; mu(z), sigma^2 I): one learned log sigma^2 for
                                   every pixel and digit (README section 6) */
} VaeDecoderKind;

/* Gaussian (either kind) rather than Bernoulli. */
bool vae_decoder_is_gaussian(VaeDecoderKind kind);

typedef struct VaeShape {
    size_t p;                     /* data dimension (784 for MNIST) */
    size_t hidden;                /* width of the hidden layer h of the encoder and of the decoder, >= 1 */
    size_t d;                     /* latent dimension, >= 1 */
    Activation hidden_activation; /* ReLU as on the slide; tanh keeps gradient checks smooth */
    VaeDecoderKind decoder;
    double log_variance_floor;    /* Gaussian decoder: log sigma^2 >= floor (unused for Bernoulli) */
} VaeShape;

typedef struct Vae {
    VaeShape shape;
    size_t max_batch;
    /* q_phi(z | x): the shared hidden layer and its two heads */
    Mlp encoder_hidden;         /* h = ReLU(W_4^T x + b_4), one layer p -> hidden */
    Dense encoder_mu;           /* mu = W_5^T h + b_5 */
    Dense encoder_log_variance; /* log sigma^2 = W_6^T h + b_6 */
    /* p_theta(x | z) */
    Mlp decoder_hidden;         /* h = ReLU(W_1^T z + b_1), one layer d -> hidden */
    Dense decoder_mu;           /* mu = W_2^T h + b_2 (Gaussian) or the logits s (Bernoulli) */
    Dense decoder_log_variance; /* log sigma^2 = W_3^T h + b_3 (VAE_DECODER_GAUSSIAN only) */
    double *shared_log_variance, *grad_shared_log_variance; /* (1) log sigma^2 and its gradient
                                                               (VAE_DECODER_GAUSSIAN_SHARED only) */
    /* what the last forward pass computed, (max_batch, .) each */
    double *mu_z, *log_variance_z; /* (., d) the encoder's heads, log sigma^2 clamped */
    double *eps, *z;               /* (., d) the noise and the sample z = mu + sigma (.) eps */
    double *mu_x, *log_variance_x; /* (., p) the decoder's heads (log_variance_x: Gaussian only, clamped) */
    double *log_likelihood;        /* (.) log p_theta(x_i | z_i) of each example */
    double *kl;                    /* (.) KL(q_phi(z | x_i) || p(z)) of each example */
    /* scratch of the backward pass: dL/d(each of the above), and dL/dh of both hidden layers */
    double *grad_mu_z, *grad_log_variance_z, *grad_z, *grad_mu_x, *grad_log_variance_x;
    double *grad_encoder_h, *grad_decoder_h;
    ParameterList parameters; /* phi (q.h1, q.mu, q.logvar), then theta (p.h1, p.mu or p.logits, p.logvar) */
} Vae;

/* The two terms of the negative ELBO of a batch, each averaged over the batch. */
typedef struct VaeLoss {
    double reconstruction; /* R = -(1/B) sum_i log p_theta(x_i | z_i)        (nats per digit) */
    double kl;             /* KL = (1/B) sum_i KL(q_phi(z | x_i) || p(z))    (nats per digit) */
} VaeLoss;

/* A valid shape: p, hidden, d >= 1, a finite floor in [-30, 30]. */
bool vae_shape_check(VaeShape shape, Error *err);
/* Build the networks with random weights (lib's initialisation); max_batch bounds B. */
bool vae_init(Vae *vae, VaeShape shape, size_t max_batch, Rng *rng, Error *err);
void vae_free(Vae *vae);

/* log sigma^2 <- min(max(log sigma^2, lo), hi) elementwise.            log_variance (n) */
void vae_clamp(double *log_variance, size_t n, double lo, double hi);
/* The clamp's backward: grad <- 0 where the clamped value sits at a bound (the clamp is
 * flat there), unchanged elsewhere.                           grad, log_variance (n) */
void vae_clamp_backward(double *grad, const double *log_variance, size_t n, double lo, double hi);

/* ---- the networks ------------------------------------------------------------------------ */

/* Exercise 6.1.  The encoder's two heads on a batch X (B, p):
 *     h = ReLU(W_4^T x + b_4),  mu_z = W_5^T h + b_5,  log sigma_z^2 = clamp(W_6^T h + b_6)
 * into vae->mu_z and vae->log_variance_z (B, d). */
void vae_encode(Vae *vae, const double *X, size_t B);
/* Exercise 6.1.  The decoder's heads on codes Z (B, d):
 *     h = ReLU(W_1^T z + b_1),  mu_x = W_2^T h + b_2  into vae->mu_x (B, p),
 * and for a Gaussian decoder log sigma_x^2 into vae->log_variance_x (B, p): clamp(W_3^T h + b_3),
 * or the shared clamp(log sigma^2) in every entry. Z may be vae->z. */
void vae_decode(Vae *vae, const double *Z, size_t B);

/* ---- the reparameterisation trick (Louppe L11) ------------------------------------------- */

/* Exercise 6.2.  z = mu + sigma (.) eps,  sigma = exp(1/2 log sigma^2).
 *                                                    z, mu, log_variance, eps (n) */
void vae_reparameterize(double *z, const double *mu, const double *log_variance, const double *eps, size_t n);
/* Exercise 6.2.  Its backward, from dL/dz:
 *     dL/dmu += dL/dz             (dz/dmu = 1)
 *     dL/dlog sigma^2 += dL/dz (.) 1/2 sigma (.) eps      (dz/dlog sigma^2 = 1/2 sigma eps)
 *                                     grad_mu, grad_log_variance, grad_z, log_variance, eps (n) */
void vae_reparameterize_backward(double *grad_mu, double *grad_log_variance, const double *grad_z,
                                 const double *log_variance, const double *eps, size_t n);

/* ---- the closed-form KL (Louppe L11, "Step-by-step example") ----------------------------- */

/* Exercise 6.3.  For each example i (row of mu, log_variance):
 *     kl_i = KL(N(mu_i, diag sigma_i^2) || N(0, I)) = -1/2 sum_j (1 + log sigma_ij^2 - mu_ij^2 - sigma_ij^2)
 *                                         kl (B), mu (B, d), log_variance (B, d) */
void vae_kl(double *kl, const double *mu, const double *log_variance, size_t B, size_t d);
/* Exercise 6.3.  Accumulate scale times the gradient of sum_i kl_i:
 *     grad_mu += scale mu,     grad_log_variance += scale 1/2 (sigma^2 - 1)
 *                                     grad_mu, grad_log_variance, mu, log_variance (n = B d) */
void vae_kl_backward(double *grad_mu, double *grad_log_variance, const double *mu, const double *log_variance,
                     double scale, size_t n);

/* ---- the decoders' log-likelihoods ----------------------------------------------------------- */

/* Exercise 6.4.  For each example i:
 *     log N(x_i; mu_i, diag sigma_i^2) = -1/2 sum_j [log(2 pi) + log sigma_ij^2 + (x_ij - mu_ij)^2 / sigma_ij^2]
 *                               log_likelihood (B), X, mu, log_variance (B, p) */
void vae_gaussian_log_likelihood(double *log_likelihood, const double *X, const double *mu,
                                 const double *log_variance, size_t B, size_t p);
/* Exercise 6.4.  Accumulate scale times the gradient of sum_i log N(x_i; mu_i, diag sigma_i^2):
 *     grad_mu += scale (x - mu) / sigma^2,
 *     grad_log_variance += scale 1/2 ((x - mu)^2 / sigma^2 - 1)
 *                                     grad_mu, grad_log_variance, X, mu, log_variance (n = B p) */
void vae_gaussian_log_likelihood_backward(double *grad_mu, double *grad_log_variance, const double *X,
                                          const double *mu, const double *log_variance, double scale, size_t n);

/* Exercise 6.5.  For each example i, with logits s_i and p(x_ij = 1) = sigmoid(s_ij):
 *     log p(x_i | s_i) = sum_j [x_ij log sigmoid(s_ij) + (1 - x_ij) log(1 - sigmoid(s_ij))]
 *                      = sum_j [x_ij s_ij - softplus(s_ij)]      (finite for every s)
 *                               log_likelihood (B), X, logits (B, p) */
void vae_bernoulli_log_likelihood(double *log_likelihood, const double *X, const double *logits, size_t B,
                                  size_t p);
/* Exercise 6.5.  Accumulate scale times its gradient: grad_logits += scale (x - sigmoid(s)).
 *                                                    grad_logits, X, logits (n = B p) */
void vae_bernoulli_log_likelihood_backward(double *grad_logits, const double *X, const double *logits,
                                           double scale, size_t n);

/* log p_theta(x_i | z_i) of the last vae_decode, with the decoder's own likelihood
 * (6.4 or 6.5).                                     log_likelihood (B), X (B, p) */
void vae_log_likelihood(Vae *vae, double *log_likelihood, const double *X, size_t B);

/* ---- the ELBO and its gradient -------------------------------------------------------------- */

/* Exercise 6.6.  The negative ELBO of a batch X (B, p) with the noise eps (B, d) given:
 *     encode, z = mu + sigma (.) eps, decode,
 *     R = -(1/B) sum_i log p_theta(x_i | z_i),   KL = (1/B) sum_i kl_i;
 * fills *loss with both terms (loss may be NULL) and returns R + KL. Keeps what the
 * backward pass needs: X and eps must stay unchanged until vae_backward. */
double vae_forward(Vae *vae, VaeLoss *loss, const double *X, const double *eps, size_t B);

/* Exercise 6.7.  Accumulate dNELBO/dtheta and dNELBO/dphi for the last vae_forward(X, eps),
 * in order: the likelihood's gradient, the decoder's heads and hidden layer (down to
 * dL/dz), the reparameterisation (dL/dmu_z, dL/dlog sigma_z^2), the KL's own gradient on
 * both heads, the encoder's heads, whose gradients meet in the shared hidden layer. */
void vae_backward(Vae *vae, const double *X, const double *eps, size_t B);

/* Exercise 6.8.  One optimiser step on the NELBO of X (B, p): draw eps ~ N(0, I) (B, d)
 * from rng into vae->eps, zero the gradients, forward, backward, step; returns the
 * NELBO before the update (and its two terms in *loss, which may be NULL). */
double vae_train_step(Vae *vae, Optimizer *optimizer, VaeLoss *loss, const double *X, size_t B, Rng *rng);

/* ---- log p(x), and generating ------------------------------------------------------------- */

/* Exercise 6.9.  The k-sample importance-weighted estimate of log p_theta(x_i), for each row
 * of X (B, p), with the encoder as proposal:
 *     log p(x) ~ log (1/k) sum_{s=1..k} w_s,   w_s = p_theta(x | z_s) p(z_s) / q_phi(z_s | x),
 *     z_s ~ q_phi(z | x).
 * Its expectation is a lower bound on log p(x) that rises with k (k = 1: the ELBO).
 *                     log_px (B), log_weights (B, k) scratch: log w_s of example i in row i */
void vae_importance_log_likelihood(Vae *vae, double *log_px, double *log_weights, const double *X, size_t B,
                                   size_t k, Rng *rng);

/* The mean of p_theta(x | z) for codes Z (B, d): mu(z) (Gaussian) or sigmoid(s(z))
 * (Bernoulli): what a figure shows for a decoded z.            X_mean (B, p), Z (B, d) */
void vae_decoder_mean(Vae *vae, double *X_mean, const double *Z, size_t B);

/* Exercise 6.10.  n samples from the model: z ~ p(z) = N(0, I), shown as the mean of
 * p_theta(x | z) (vae_decoder_mean).             X_mean (n, p), n <= max_batch */
void vae_sample_prior(Vae *vae, double *X_mean, size_t n, Rng *rng);

/* Exercise 6.11.  The manifold grid of a 2-D latent space (Kingma & Welling, fig. 4; Louppe
 * L11): the midpoints u_a = (a + 1/2) / n of n cells of (0, 1), through the inverse
 * normal CDF, so each code is equally likely under the prior:
 *     cell (row r, column c) = z_(r n + c) = (Phi^-1(u_c), Phi^-1(u_(n-1-r)))
 * (z_1 grows to the right, z_2 upwards, as on a plot).                 Z (n * n, 2) */
void vae_manifold_codes(double *Z, size_t n);

/* ---- training with lib/train.h, and checkpoints -------------------------------------------- */

/* The BatchFunctions of run_epoch for a VAE; each adds B times the batch's two terms to
 * `sum` and counts the batches, so a caller can report R and KL per epoch. */
typedef struct VaeTrainer {
    Vae *vae;
    Optimizer *optimizer; /* used by vae_train_batch only */
    Rng *rng;             /* draws eps */
    VaeLoss sum;          /* sum over the batches of B * (R, KL) */
    size_t batches;       /* batches run since the sums were last cleared */
} VaeTrainer;

/* One pass of run_epoch over `data` with vae_train_batch or vae_evaluate_batch: the mean
 * R and KL per digit. A loss that is not finite stops it with an error naming the batch
 * ("batch 3: the loss became NaN at example 201 of 8000 ..."). */
bool vae_epoch(VaeLoss *mean, VaeTrainer *trainer, const Dataset *data, BatchFunction batch_function,
               const EpochOptions *options, Error *err);

/* vae_train_step on X; returns the NELBO before the step. */
double vae_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);
/* vae_forward on X with fresh eps (one-sample ELBO), parameters unchanged. */
double vae_evaluate_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);

/* The parameters in a small binary file, written atomically (lib/outfile.h):
 *   "VAELABCK" (8 bytes), version (u32), decoder kind, hidden activation (u32 each),
 *   p, hidden, d (u64 each), log-variance floor (f64), tensor count (u64), then per tensor
 *   its size (u64) and values (f64), and last an FNV-1a 64 checksum (u64) of every byte
 *   before it; integers and doubles little-endian.
 * vae_load reads into a Vae built with the shape the file must have: a missing, truncated,
 * corrupt, wrong-version or wrong-shape file is one error naming the problem, and the
 * parameters are left untouched. */
bool vae_save(const Vae *vae, const char *path, Error *err);
bool vae_load(Vae *vae, const char *path, Error *err);

/* ==== the beta-VAE, controlled capacity, active units (Wu L6 "VAE Variants"; README sections 12-15) ====
 *
 * Wu L6 weighs the two terms of the objective (Higgins et al. 2017, "beta-VAE"):
 *
 *     J_beta(theta, phi; x) = E_q[log p_theta(x | z)] - beta KL(q_phi(z | x) || p(z)),
 *
 * beta = 0 the auto-encoder ("standard AE"), beta = 1 the VAE, beta > 1 a code pushed closer to
 * the prior; and, with a capacity C raised during training (Burgess et al. 2017,
 * "Understanding disentangling in beta-VAE"; Wu L6: "gradually increase C"),
 *
 *     J_C(theta, phi; x) = E_q[log p_theta(x | z)] - beta |KL(q_phi(z | x) || p(z)) - C|.
 *
 * Minimised as losses of a mini-batch, with R and KL the batch means of vae_forward:
 *
 *     L_beta = R + beta KL,          L_C = R + beta |KL - C|     (the KL of the batch, its mean).
 *
 * Both gradients are the VAE's with another weight on the KL. The KL reaches only phi, and
 * only through the encoder's two heads, in closed form (section 7), so
 *
 *     grad L_beta = grad (R + KL) + (beta - 1) grad KL:
 *
 * a full backward pass (vae_backward), then a short one, the KL's own gradient through the
 * two heads and the encoder's hidden layer. And grad L_C is grad L_beta with the weight
 * beta sign(KL - C) in place of beta.
 */

/* Exercise 6.12.  The beta-VAE's loss of a batch X (B, p) at the noise eps (B, d):
 *     vae_forward, then L_beta = R + beta KL.
 * Fills *loss (may be NULL) with the two unweighted terms, R and KL, and returns L_beta. */
double vae_beta_forward(Vae *vae, VaeLoss *loss, const double *X, const double *eps, size_t B, double beta);

/* Exercise 6.12.  Accumulate dL_beta/dtheta and dL_beta/dphi for the last forward pass at (X, eps),
 * for any real beta (negative too: the capacity objective's weight below C):
 *     vae_backward for R + KL, then (beta - 1)/B times the gradient of sum_i KL_i through
 *     the encoder's heads (vae_kl_backward, the clamp's backward, both heads into
 *     dL/dh) and its hidden layer. The decoder's gradient does not depend on beta. */
void vae_beta_backward(Vae *vae, const double *X, const double *eps, size_t B, double beta);

/* Exercise 6.13.  dL_C/dKL of L_C = R + beta |KL - C|:
 *     beta sign(KL - C):  +beta above the capacity (pull the KL down), -beta below it (push it up),
 * and at KL = C, where |.| has no derivative, the subgradient 0: the middle of the
 * subdifferential [-beta, beta], its element of least norm, the only one that leaves a KL
 * already on target where it is instead of kicking it to one side (README section 13). */
double vae_capacity_kl_weight(double kl, double beta, double capacity);

/* Exercise 6.13.  The capacity objective of a batch: vae_forward, then L_C = R + beta |KL - C|;
 * *loss (may be NULL) gets R and KL. */
double vae_capacity_forward(Vae *vae, VaeLoss *loss, const double *X, const double *eps, size_t B, double beta,
                            double capacity);

/* Exercise 6.13.  Accumulate dL_C/d(theta, phi) for the last vae_capacity_forward at (X, eps): the
 * beta-VAE gradient (vae_beta_backward) with the weight vae_capacity_kl_weight of the batch's
 * KL, (1/B) sum_i vae->kl[i]. */
void vae_capacity_backward(Vae *vae, const double *X, const double *eps, size_t B, double beta, double capacity);

/* Exercise 6.14.  The activity of each latent unit over N digits X (N, p) (Burda et al.
 * 2016, "Importance weighted autoencoders", section 5.2):
 *     A_j = Cov_x(E_{q(z|x)}[z_j]) = (1/N) sum_i (mu_j(x_i) - m_j)^2,   m_j = (1/N) sum_i mu_j(x_i),
 * mu(x) the encoder's mean head (vae_encode, at most max_batch digits at a time), the
 * variance of the N digits taken as the distribution of x (divided by N). Writes A
 * into activity (d) and m into mean (d); returns the number of active units,
 * A_j > threshold (Burda et al.: 0.01). A unit with A_j ~ 0 gives every digit the same
 * q(z_j | x): it carries nothing about x. */
size_t vae_active_units(Vae *vae, double *activity, double *mean, const double *X, size_t N, double threshold);

/* Burda et al.'s threshold on A_j. */
#define VAE_ACTIVE_UNIT_THRESHOLD 0.01

/* The mean over N digits X (N, p) of each coordinate's KL(q(z_j | x) || N(0, 1)), into
 * kl (d): how the KL of section 4 splits over the latent units (they sum to the KL). */
void vae_kl_per_dimension(Vae *vae, double *kl, const double *X, size_t N);

/* ---- training on a schedule of beta or C ---- */

/* How a run weighs the KL at optimiser step t = 0, 1, ...: the beta-VAE (beta fixed), KL
 * annealing (beta_t rising linearly from 0 to beta over the first anneal_steps steps; Bowman
 * et al. 2016), or the controlled capacity (L_C with C_t rising linearly from 0 to C over
 * capacity_steps; Burgess et al. 2017). */
typedef struct VaeSchedule {
    double beta;           /* beta, or the beta reached at the end of the annealing */
    size_t anneal_steps;   /* 0: beta from the first step */
    bool controlled;       /* L_C instead of L_beta */
    double capacity;       /* C, nats per digit (controlled only) */
    size_t capacity_steps; /* 0: C from the first step */
} VaeSchedule;

/* beta_t = beta min(1, t / anneal_steps);   C_t = C min(1, t / capacity_steps). */
double vae_schedule_beta(const VaeSchedule *schedule, size_t step);
double vae_schedule_capacity(const VaeSchedule *schedule, size_t step);

/* One optimiser step at step t of the schedule: eps ~ N(0, I) into vae->eps, gradients
 * zeroed, L_beta (beta_t) or L_C (beta, C_t) forward and backward, one step. Returns the loss
 * before the update, and R and KL in *loss (may be NULL). */
double vae_schedule_train_step(Vae *vae, Optimizer *optimizer, VaeLoss *loss, const double *X, size_t B, Rng *rng,
                               const VaeSchedule *schedule, size_t step);

/* The trainer of vae_schedule_train_batch: vae_epoch(&mean, &t.base, ...) sums R and KL
 * in base as for the VAE; step counts the optimiser steps (the schedule's t). */
typedef struct VaeScheduleTrainer {
    VaeTrainer base; /* first, so that vae_epoch's VaeTrainer * is this trainer */
    VaeSchedule schedule;
    size_t step;
} VaeScheduleTrainer;

/* vae_schedule_train_step at the trainer's step, then step++; returns R + KL. */
double vae_schedule_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);
/* ==== importance-weighted training (IWAE; Burda, Grosse & Salakhutdinov 2016; Wu L6) ======== */

/* Wu L6: "use more than one sample from q(z|x) for a tighter lower bound". Train on the
 * k-sample bound itself (exercise 6.9 only measured it):
 *
 *     L_k(x) = E_{z_1..z_k ~ q_phi(z|x)} [ log (1/k) sum_s w_s ],
 *     w_s = p_theta(x | z_s) p(z_s) / q_phi(z_s | x),   z_s = mu(x) + sigma(x) (.) eps_s,
 *
 * with log p(x) >= L_k >= L_1 = ELBO (k = 1 is the VAE). Its gradient at fixed eps_1..k is
 *
 *     grad L_k = sum_s w~_s grad log w_s,    w~_s = w_s / sum_t w_t = softmax(log w)_s,
 *
 * each grad log w_s taken pathwise through z_s (the decoder, log p(z_s), and log q(z_s | x)
 * through z_s) plus q's direct dependence on phi at fixed z_s (the score-like term). The
 * loss is the negative bound averaged over the batch, -(1/B) sum_i L_k(x_i).
 *
 * The k samples of digit i are rows i k + s (s = 0..k-1) of one batch of B k codes, so the
 * encoder runs on B rows and the decoder on B k: the Vae must be built with max_batch >= B k.
 * Bernoulli decoder only (Burda et al.'s binarised MNIST model). */

/* The k-sample objective's buffers, for batches of up to max_batch digits. */
typedef struct Iwae {
    size_t k;            /* samples per digit, >= 1 */
    size_t max_batch;    /* digits per batch */
    double *log_weights; /* (max_batch, k) log w_is of the last iwae_forward */
    double *weights;     /* (max_batch, k) w~_is = softmax over s of log w_is */
    double *bound;       /* (max_batch) log (1/k) sum_s w_is */
} Iwae;

/* k >= 1 samples per digit for batches of up to max_batch digits of a Vae with a Bernoulli
 * decoder whose max_batch is at least max_batch k (a clear error otherwise). */
bool iwae_init(Iwae *iwae, const Vae *vae, size_t k, size_t max_batch, Error *err);
void iwae_free(Iwae *iwae);

/* Exercise 6.15.  For each digit i (row of log_weights):
 *     bound_i = log (1/k) sum_s w_is             (log-mean-exp: finite when every w underflows)
 *     w~_is   = w_is / sum_t w_it = exp(log w_is - log sum_t w_it)   (softmax: sums to 1)
 *                           bound (B), weights (B, k), log_weights (B, k), not overlapping */
void iwae_normalized_weights(double *bound, double *weights, const double *log_weights, size_t B, size_t k);

/* Exercise 6.16.  The negative k-sample bound of a batch X (B, p) at the given noise eps
 * (B k, d; row i k + s is eps_s of digit i):
 *     encode X once, z_is = mu_i + sigma_i (.) eps_is into vae->z (B k, d), decode the B k
 *     codes, log p_theta(x_i | z_is) into vae->log_likelihood (B k),
 *     log w_is = log p_theta(x_i | z_is) + log p(z_is) - log q_phi(z_is | x_i)
 *     into iwae->log_weights, then iwae->bound and iwae->weights (6.15);
 * returns -(1/B) sum_i bound_i. X and eps must stay unchanged until iwae_backward. */
double iwae_forward(Vae *vae, Iwae *iwae, const double *X, const double *eps, size_t B);

/* Exercise 6.17.  Accumulate the gradient of -(1/B) sum_i bound_i for the last
 * iwae_forward(X, eps): dL/dlog w_is = -(1/B) w~_is, then grad log w_is as above (the
 * decoder's likelihood per sample, log p(z) through z, log q through z and directly). */
void iwae_backward(Vae *vae, Iwae *iwae, const double *X, const double *eps, size_t B);

/* Exercise 6.17.  One optimiser step on the negative k-sample bound of X (B, p): draw
 * eps (B k, d) from rng into vae->eps, zero the gradients, forward, backward, step;
 * returns the negative bound before the update. */
double iwae_train_step(Vae *vae, Iwae *iwae, Optimizer *optimizer, const double *X, size_t B, Rng *rng);

/* The BatchFunctions of run_epoch (lib/train.h) for the k-sample bound. */
typedef struct IwaeTrainer {
    Vae *vae;
    Iwae *iwae;
    Optimizer *optimizer; /* used by iwae_train_batch only */
    Rng *rng;             /* draws eps */
} IwaeTrainer;

/* iwae_train_step on X; returns the negative bound before the step. */
double iwae_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);
/* iwae_forward on X with fresh eps, parameters unchanged: the negative k-sample bound. */
double iwae_evaluate_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);

/* ==== inpainting (Wu L6, "Inpainting with VAE") ============================================== */

/* Fill the missing pixels of a digit. A mask m in {0, 1}^p marks the observed pixels (1);
 * the encoder sees only x-bar = x (.) m (missing pixels read as 0). Wu L6: the training data
 * are whole, so train with random masks on the encoder's input only,
 *
 *     x (.) m -> z -> x:   NELBO(x, m) = -E_{q_phi(z | x (.) m)} [log p_theta(x | z)] + KL(q_phi(z | x (.) m) || p(z)),
 *
 * so that q_phi(z | x-bar) ~ q_phi(z | x) while the generator p_theta(x | z) stays a VAE's:
 * the reconstruction term still scores every pixel of x. Then fill the missing pixels with
 * E[x | z = mu(x-bar)]. (Wu L6's better encoders, masked or partial convolutions, are left out.) */

/* The masks of a batch and the encoder's input built from them. */
typedef struct MaskedBatch {
    size_t max_batch, rows, cols; /* rows x cols = p: masks are drawn on the image */
    double *mask;                 /* (max_batch, p) m: 1 observed, 0 missing */
    double *X_masked;             /* (max_batch, p) x-bar = x (.) m, the encoder's input */
} MaskedBatch;

bool masked_batch_init(MaskedBatch *batch, size_t max_batch, size_t rows, size_t cols, Error *err);
void masked_batch_free(MaskedBatch *batch);

/* The masks of the inpainting table (the missing part of the digit). */
typedef enum MaskKind {
    MASK_TOP_HALF,       /* rows 0 .. rows/2 - 1 missing */
    MASK_LEFT_HALF,      /* columns 0 .. cols/2 - 1 missing */
    MASK_RANDOM_50,      /* each pixel missing with probability 0.5 */
    MASK_RANDOM_80,      /* each pixel missing with probability 0.8 */
    MASK_CENTRED_SQUARE, /* the centred (rows/2) x (cols/2) square missing */
    MASK_KINDS
} MaskKind;

/* "top half", "left half", "random 50%", "random 80%", "centred square" */
const char *mask_kind_name(MaskKind kind);
/* One mask of that kind (rng draws the random ones).                       mask (rows * cols) */
void mask_of_kind(double *mask, MaskKind kind, size_t rows, size_t cols, Rng *rng);
/* One training mask: with probability 1/2, each pixel missing independently with a
 * probability drawn from U(0, 0.9); otherwise a rectangle missing, its height and width
 * drawn from rows/4 .. rows and cols/4 .. cols, at a uniform position. The table's masks
 * are special cases of these.                                             mask (rows * cols) */
void mask_random(double *mask, size_t rows, size_t cols, Rng *rng);

/* Exercise 6.18.  The negative ELBO of a batch X (B, p) whose encoder sees x-bar = x (.) m:
 *     x-bar into batch->X_masked (from batch->mask), encode x-bar, z = mu + sigma (.) eps,
 *     decode, R = -(1/B) sum_i log p_theta(x_i | z_i) of the whole x_i, KL as in 6.6;
 * returns R + KL (and both in *loss, which may be NULL). vae_backward(vae, X, eps, B) is then
 * its gradient (the encoder kept x-bar as its input): X, eps and batch->X_masked must stay
 * unchanged until then. */
double vae_masked_forward(Vae *vae, VaeLoss *loss, MaskedBatch *batch, const double *X, const double *eps, size_t B);

/* Exercise 6.18.  One optimiser step on the masked NELBO: a fresh mask_random per digit into
 * batch->mask, eps ~ N(0, I) into vae->eps, zero the gradients, vae_masked_forward,
 * vae_backward, step; returns the masked NELBO before the update. */
double vae_masked_train_step(Vae *vae, Optimizer *optimizer, VaeLoss *loss, MaskedBatch *batch, const double *X,
                             size_t B, Rng *rng);

/* Exercise 6.18.  Fill the missing pixels: x-filled = m (.) x-bar + (1 - m) (.) E[x | z = mu(x-bar)].
 *                                             X_filled, X_masked, mask (B, p), B <= max_batch */
void vae_inpaint(Vae *vae, double *X_filled, const double *X_masked, const double *mask, size_t B);

/* The BatchFunction of run_epoch for masked training (MaskedVaeTrainer as context). */
typedef struct MaskedVaeTrainer {
    Vae *vae;
    Optimizer *optimizer;
    MaskedBatch *batch;
    Rng *rng; /* draws the masks and eps */
} MaskedVaeTrainer;

/* vae_masked_train_step on X; returns the masked NELBO before the step. */
double vae_masked_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);

#endif
