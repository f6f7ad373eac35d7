/* exercises/06-vae/vae.c — the variational auto-encoder of Louppe L11's step-by-step
 * example, every VAE-specific gradient by hand (see chapters/06-vae/vae.h and README.md
 * for the math). */
#include "vae.h"

#include <math.h>
#include <stdlib.h>

#include "exercise.h"
#include "matrix.h"
#include "numerics.h"

bool vae_decoder_is_gaussian(VaeDecoderKind kind)
{
    return kind == VAE_DECODER_GAUSSIAN || kind == VAE_DECODER_GAUSSIAN_SHARED;
}

bool vae_shape_check(VaeShape shape, Error *err)
{
    if (shape.p == 0 || shape.hidden == 0 || shape.d == 0)
        return error_set(err, "a VAE needs p, hidden and d of at least 1 (got p = %zu, hidden = %zu, d = %zu)",
                         shape.p, shape.hidden, shape.d);
    if (vae_decoder_is_gaussian(shape.decoder)
        && !(shape.log_variance_floor >= VAE_LOG_VARIANCE_MIN && shape.log_variance_floor <= VAE_LOG_VARIANCE_MAX))
        return error_set(err, "the log-variance floor must be in [%g, %g] (got %g)", VAE_LOG_VARIANCE_MIN,
                         VAE_LOG_VARIANCE_MAX, shape.log_variance_floor);
    return true;
}

/* A dense head hidden -> out with gain 1 (no ReLU follows it). */
static bool head_init(Dense *head, size_t hidden, size_t out, Rng *rng, Error *err)
{
    return dense_init(head, hidden, out, 1.0, rng, err);
}

bool vae_init(Vae *vae, VaeShape shape, size_t max_batch, Rng *rng, Error *err)
{
    *vae = (Vae){ .shape = shape, .max_batch = max_batch };
    if (!vae_shape_check(shape, err))
        return false;
    size_t p = shape.p, hidden = shape.hidden, d = shape.d, n = max_batch;
    bool head = shape.decoder == VAE_DECODER_GAUSSIAN, shared = shape.decoder == VAE_DECODER_GAUSSIAN_SHARED;
    size_t encoder_sizes[2] = { p, hidden }, decoder_sizes[2] = { d, hidden };
    bool ok = mlp_init(&vae->encoder_hidden, encoder_sizes, 2, shape.hidden_activation, shape.hidden_activation,
                       n, rng, err)
              && head_init(&vae->encoder_mu, hidden, d, rng, err)
              && head_init(&vae->encoder_log_variance, hidden, d, rng, err)
              && mlp_init(&vae->decoder_hidden, decoder_sizes, 2, shape.hidden_activation, shape.hidden_activation,
                          n, rng, err)
              && head_init(&vae->decoder_mu, hidden, p, rng, err)
              && (!head || head_init(&vae->decoder_log_variance, hidden, p, rng, err))
              && (!shared || ((vae->shared_log_variance = alloc_doubles(1, err))
                              && (vae->grad_shared_log_variance = alloc_doubles(1, err))))
              && (vae->mu_z = alloc_doubles(n * d, err)) && (vae->log_variance_z = alloc_doubles(n * d, err))
              && (vae->eps = alloc_doubles(n * d, err)) && (vae->z = alloc_doubles(n * d, err))
              && (vae->mu_x = alloc_doubles(n * p, err)) && (vae->log_variance_x = alloc_doubles(n * p, err))
              && (vae->log_likelihood = alloc_doubles(n, err)) && (vae->kl = alloc_doubles(n, err))
              && (vae->grad_mu_z = alloc_doubles(n * d, err))
              && (vae->grad_log_variance_z = alloc_doubles(n * d, err)) && (vae->grad_z = alloc_doubles(n * d, err))
              && (vae->grad_mu_x = alloc_doubles(n * p, err))
              && (vae->grad_log_variance_x = alloc_doubles(n * p, err))
              && (vae->grad_encoder_h = alloc_doubles(n * hidden, err))
              && (vae->grad_decoder_h = alloc_doubles(n * hidden, err));
    if (!ok) {
        vae_free(vae);
        return false;
    }
    mlp_parameters(&vae->encoder_hidden, &vae->parameters, "q.h");
    dense_parameters(&vae->encoder_mu, &vae->parameters, "q.mu");
    dense_parameters(&vae->encoder_log_variance, &vae->parameters, "q.logvar");
    mlp_parameters(&vae->decoder_hidden, &vae->parameters, "p.h");
    dense_parameters(&vae->decoder_mu, &vae->parameters, vae_decoder_is_gaussian(shape.decoder) ? "p.mu" : "p.logits");
    if (head)
        dense_parameters(&vae->decoder_log_variance, &vae->parameters, "p.logvar");
    if (shared) {
        /* start at sigma^2 = 0.1, about the mean squared grey level of a digit: the maximum-
         * likelihood variance of a decoder that still outputs mu = 0. (Adam moves a single
         * parameter about lr per step, so from sigma^2 = 1 it would take ~30 epochs.) */
        vae->shared_log_variance[0] = log(0.1);
        parameters_add(&vae->parameters, "p.logvar", vae->shared_log_variance, vae->grad_shared_log_variance, 1);
    }
    return true;
}

void vae_free(Vae *vae)
{
    mlp_free(&vae->encoder_hidden);
    dense_free(&vae->encoder_mu);
    dense_free(&vae->encoder_log_variance);
    mlp_free(&vae->decoder_hidden);
    dense_free(&vae->decoder_mu);
    dense_free(&vae->decoder_log_variance);
    double *arrays[] = {
        vae->mu_z,           vae->log_variance_z,       vae->eps,       vae->z,
        vae->mu_x,           vae->log_variance_x,       vae->log_likelihood, vae->kl,
        vae->grad_mu_z,      vae->grad_log_variance_z,  vae->grad_z,
        vae->grad_mu_x,      vae->grad_log_variance_x,
        vae->grad_encoder_h, vae->grad_decoder_h,
        vae->shared_log_variance, vae->grad_shared_log_variance,
    };
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        free(arrays[k]);
    *vae = (Vae){ 0 };
}

void vae_clamp(double *log_variance, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        log_variance[i] = fmin(fmax(log_variance[i], lo), hi);
}

void vae_clamp_backward(double *grad, const double *log_variance, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        if (log_variance[i] <= lo || log_variance[i] >= hi)
            grad[i] = 0.0;
}

/* ---- the networks ---------------------------------------------------------------------------- */

/* h = ReLU(W_4^T x + b_4),  mu = W_5^T h + b_5,  log sigma^2 = W_6^T h + b_6   (Louppe L11) */
void vae_encode(Vae *vae, const double *X, size_t B)
{
    /* EXERCISE 6.1 (1 point): the encoder's two heads and the decoder.
     * Replace this stub with your code; `make hint EX=6.1` prints a hint. */
    exercise_not_implemented("6.1", __func__);
    (void)X;
    vector_zero(vae->mu_z, B * vae->shape.d); // zeros: a safe wrong answer
    vector_zero(vae->log_variance_z, B * vae->shape.d);
    /* END EXERCISE 6.1 */
}

/* h = ReLU(W_1^T z + b_1),  mu = W_2^T h + b_2,  log sigma^2 = W_3^T h + b_3   (Louppe L11) */
void vae_decode(Vae *vae, const double *Z, size_t B)
{
    /* EXERCISE 6.1 (1 point): the encoder's two heads and the decoder.
     * Replace this stub with your code; `make hint EX=6.1` prints a hint. */
    exercise_not_implemented("6.1", __func__);
    (void)Z;
    vector_zero(vae->mu_x, B * vae->shape.p); // zeros: a safe wrong answer
    vector_zero(vae->log_variance_x, B * vae->shape.p);
    /* END EXERCISE 6.1 */
}

/* ---- the reparameterisation trick -------------------------------------------------------------- */

/* z = mu + sigma (.) eps,  sigma = exp(1/2 log sigma^2)     (Louppe L11, "Reparameterization trick") */
void vae_reparameterize(double *z, const double *mu, const double *log_variance, const double *eps, size_t n)
{
    /* EXERCISE 6.2 (2 points): the reparameterisation trick, forward and backward.
     * Replace this stub with your code; `make hint EX=6.2` prints a hint. */
    exercise_not_implemented("6.2", __func__);
    (void)mu;
    (void)log_variance;
    (void)eps;
    vector_zero(z, n); // zeros: a safe wrong answer
    /* END EXERCISE 6.2 */
}

/* dz/dmu = 1,  dz/dlog sigma^2 = d/dv [exp(v / 2)] eps = 1/2 sigma eps */
void vae_reparameterize_backward(double *grad_mu, double *grad_log_variance, const double *grad_z,
                                 const double *log_variance, const double *eps, size_t n)
{
    /* EXERCISE 6.2 (2 points): the reparameterisation trick, forward and backward.
     * Replace this stub with your code; `make hint EX=6.2` prints a hint. */
    exercise_not_implemented("6.2", __func__);
    (void)grad_mu;
    (void)grad_log_variance;
    (void)grad_z;
    (void)log_variance;
    (void)eps;
    (void)n;
    /* END EXERCISE 6.2 */
}

/* ---- the closed-form KL -------------------------------------------------------------------------- */

/* -KL(q || p) = 1/2 sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2)    (Louppe L11, "Step-by-step example") */
void vae_kl(double *kl, const double *mu, const double *log_variance, size_t B, size_t d)
{
    /* EXERCISE 6.3 (2 points): the closed-form KL and its gradient.
     * Replace this stub with your code; `make hint EX=6.3` prints a hint. */
    exercise_not_implemented("6.3", __func__);
    (void)mu;
    (void)log_variance;
    (void)d;
    for (size_t i = 0; i < B; i++)
        kl[i] = NAN; // a safe wrong answer
    /* END EXERCISE 6.3 */
}

/* dKL/dmu_j = mu_j,  dKL/dlog sigma_j^2 = 1/2 (sigma_j^2 - 1) */
void vae_kl_backward(double *grad_mu, double *grad_log_variance, const double *mu, const double *log_variance,
                     double scale, size_t n)
{
    /* EXERCISE 6.3 (2 points): the closed-form KL and its gradient.
     * Replace this stub with your code; `make hint EX=6.3` prints a hint. */
    exercise_not_implemented("6.3", __func__);
    (void)grad_mu;
    (void)grad_log_variance;
    (void)mu;
    (void)log_variance;
    (void)scale;
    (void)n;
    /* END EXERCISE 6.3 */
}

/* ---- the decoders' log-likelihoods ------------------------------------------------------------------ */

/* log N(x; mu, diag sigma^2) = -1/2 sum_j [log 2 pi + log sigma_j^2 + (x_j - mu_j)^2 / sigma_j^2] */
void vae_gaussian_log_likelihood(double *log_likelihood, const double *X, const double *mu,
                                 const double *log_variance, size_t B, size_t p)
{
    /* EXERCISE 6.4 (2 points): the Gaussian log-likelihood and its gradients.
     * Replace this stub with your code; `make hint EX=6.4` prints a hint. */
    exercise_not_implemented("6.4", __func__);
    (void)X;
    (void)mu;
    (void)log_variance;
    (void)p;
    for (size_t i = 0; i < B; i++)
        log_likelihood[i] = NAN; // a safe wrong answer
    /* END EXERCISE 6.4 */
}

/* d/dmu = (x - mu) / sigma^2,  d/dlog sigma^2 = 1/2 ((x - mu)^2 / sigma^2 - 1) */
void vae_gaussian_log_likelihood_backward(double *grad_mu, double *grad_log_variance, const double *X,
                                          const double *mu, const double *log_variance, double scale, size_t n)
{
    /* EXERCISE 6.4 (2 points): the Gaussian log-likelihood and its gradients.
     * Replace this stub with your code; `make hint EX=6.4` prints a hint. */
    exercise_not_implemented("6.4", __func__);
    (void)grad_mu;
    (void)grad_log_variance;
    (void)X;
    (void)mu;
    (void)log_variance;
    (void)scale;
    (void)n;
    /* END EXERCISE 6.4 */
}

/* log p(x | s) = sum_j [x_j s_j - softplus(s_j)]     (lib/layers.h's softplus never overflows) */
void vae_bernoulli_log_likelihood(double *log_likelihood, const double *X, const double *logits, size_t B,
                                  size_t p)
{
    /* EXERCISE 6.5 (2 points): the Bernoulli log-likelihood on logits.
     * Replace this stub with your code; `make hint EX=6.5` prints a hint. */
    exercise_not_implemented("6.5", __func__);
    (void)X;
    (void)logits;
    (void)p;
    for (size_t i = 0; i < B; i++)
        log_likelihood[i] = NAN; // a safe wrong answer
    /* END EXERCISE 6.5 */
}

/* d/ds_j [x_j s_j - softplus(s_j)] = x_j - sigmoid(s_j) */
void vae_bernoulli_log_likelihood_backward(double *grad_logits, const double *X, const double *logits,
                                           double scale, size_t n)
{
    /* EXERCISE 6.5 (2 points): the Bernoulli log-likelihood on logits.
     * Replace this stub with your code; `make hint EX=6.5` prints a hint. */
    exercise_not_implemented("6.5", __func__);
    (void)grad_logits;
    (void)X;
    (void)logits;
    (void)scale;
    (void)n;
    /* END EXERCISE 6.5 */
}

void vae_log_likelihood(Vae *vae, double *log_likelihood, const double *X, size_t B)
{
    if (vae_decoder_is_gaussian(vae->shape.decoder))
        vae_gaussian_log_likelihood(log_likelihood, X, vae->mu_x, vae->log_variance_x, B, vae->shape.p);
    else
        vae_bernoulli_log_likelihood(log_likelihood, X, vae->mu_x, B, vae->shape.p);
}

/* ---- the ELBO and its gradient ------------------------------------------------------------------- */

/* NELBO = -(1/B) sum_i log p_theta(x_i | z_i) + (1/B) sum_i KL(q_phi(z | x_i) || p(z)),
 * z_i = mu(x_i) + sigma(x_i) (.) eps_i                        (Louppe L11, "Step-by-step example") */
double vae_forward(Vae *vae, VaeLoss *loss, const double *X, const double *eps, size_t B)
{
    /* EXERCISE 6.6 (2 points): the negative ELBO of a batch.
     * Replace this stub with your code; `make hint EX=6.6` prints a hint. */
    exercise_not_implemented("6.6", __func__);
    (void)vae;
    (void)X;
    (void)eps;
    (void)B;
    if (loss)
        *loss = (VaeLoss){ NAN, NAN }; // a safe wrong answer
    return NAN;
    /* END EXERCISE 6.6 */
}

/* The chain rule from the NELBO back to theta, then through z to phi:
 *   dR/d(mu_x, log sigma_x^2) -> decoder heads -> decoder hidden layer -> dL/dz
 *   -> dL/dmu_z = dL/dz,  dL/dlog sigma_z^2 = dL/dz 1/2 sigma eps, plus the KL's (1/B) mu, (1/B) 1/2 (sigma^2 - 1)
 *   -> encoder heads, both adding into dL/dh -> encoder hidden layer */
void vae_backward(Vae *vae, const double *X, const double *eps, size_t B)
{
    /* EXERCISE 6.7 (4 points): the backward pass, in the right order.
     * Replace this stub with your code; `make hint EX=6.7` prints a hint. */
    exercise_not_implemented("6.7", __func__);
    (void)vae;
    (void)X;
    (void)eps;
    (void)B;
    /* END EXERCISE 6.7 */
}

/* eps ~ N(0, I); theta, phi <- optimiser(theta, phi, dNELBO/d(theta, phi)) */
double vae_train_step(Vae *vae, Optimizer *optimizer, VaeLoss *loss, const double *X, size_t B, Rng *rng)
{
    /* EXERCISE 6.8 (2 points): a training step.
     * Replace this stub with your code; `make hint EX=6.8` prints a hint. */
    exercise_not_implemented("6.8", __func__);
    (void)vae;
    (void)optimizer;
    (void)X;
    (void)B;
    (void)rng;
    if (loss)
        *loss = (VaeLoss){ NAN, NAN }; // a safe wrong answer
    return NAN;
    /* END EXERCISE 6.8 */
}

/* ---- log p(x), and generating ---------------------------------------------------------------------- */

/* log p(x) ~ log (1/k) sum_s p_theta(x | z_s) p(z_s) / q_phi(z_s | x),  z_s ~ q_phi(z | x)
 * (Burda et al. 2016; k = 1 is the ELBO's one-sample estimate) */
void vae_importance_log_likelihood(Vae *vae, double *log_px, double *log_weights, const double *X, size_t B,
                                   size_t k, Rng *rng)
{
    /* EXERCISE 6.9 (3 points): the k-sample importance-weighted estimate of log p(x).
     * Replace this stub with your code; `make hint EX=6.9` prints a hint. */
    exercise_not_implemented("6.9", __func__);
    (void)vae;
    (void)log_weights;
    (void)X;
    (void)k;
    (void)rng;
    for (size_t i = 0; i < B; i++)
        log_px[i] = NAN; // a safe wrong answer
    /* END EXERCISE 6.9 */
}

void vae_decoder_mean(Vae *vae, double *X_mean, const double *Z, size_t B)
{
    size_t n = B * vae->shape.p;
    vae_decode(vae, Z, B);
    if (vae_decoder_is_gaussian(vae->shape.decoder))
        vector_copy(X_mean, vae->mu_x, n);
    else
        for (size_t i = 0; i < n; i++)
            X_mean[i] = sigmoid(vae->mu_x[i]);
}

/* z ~ p(z) = N(0, I), then E[x | z] under p_theta(x | z) */
void vae_sample_prior(Vae *vae, double *X_mean, size_t n, Rng *rng)
{
    /* EXERCISE 6.10 (1 point): sampling from the prior.
     * Replace this stub with your code; `make hint EX=6.10` prints a hint. */
    exercise_not_implemented("6.10", __func__);
    (void)rng;
    vector_zero(X_mean, n * vae->shape.p); // zeros: a safe wrong answer
    /* END EXERCISE 6.10 */
}

/* z = (Phi^-1(u_c), Phi^-1(u_(n-1-r))),  u_a = (a + 1/2) / n     (Kingma & Welling 2014, fig. 4) */
void vae_manifold_codes(double *Z, size_t n)
{
    /* EXERCISE 6.11 (1 point): the manifold grid through Phi^-1.
     * Replace this stub with your code; `make hint EX=6.11` prints a hint. */
    exercise_not_implemented("6.11", __func__);
    vector_zero(Z, 2 * n * n); // zeros: a safe wrong answer
    /* END EXERCISE 6.11 */
}

/* ---- the BatchFunctions of lib/train.h ------------------------------------------------------------ */

static double add_to_sums(VaeTrainer *t, VaeLoss loss, size_t B)
{
    t->sum.reconstruction += (double)B * loss.reconstruction;
    t->sum.kl += (double)B * loss.kl;
    t->batches++;
    return loss.reconstruction + loss.kl;
}

double vae_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    VaeTrainer *t = trainer;
    VaeLoss loss;
    vae_train_step(t->vae, t->optimizer, &loss, X, B, t->rng);
    return add_to_sums(t, loss, B);
}

double vae_evaluate_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    VaeTrainer *t = trainer;
    VaeLoss loss;
    rng_fill_normal(t->rng, t->vae->eps, B * t->vae->shape.d, 0.0, 1.0);
    vae_forward(t->vae, &loss, X, t->vae->eps, B);
    return add_to_sums(t, loss, B);
}

bool vae_epoch(VaeLoss *mean, VaeTrainer *trainer, const Dataset *data, BatchFunction batch_function,
               const EpochOptions *options, Error *err)
{
    double nelbo;
    trainer->sum = (VaeLoss){ 0.0, 0.0 };
    trainer->batches = 0;
    if (!run_epoch(&nelbo, data, batch_function, trainer, options, err))
        return error_prefix(err, "batch %zu", trainer->batches);
    *mean = (VaeLoss){ trainer->sum.reconstruction / (double)data->count, trainer->sum.kl / (double)data->count };
    return true;
}
