/* solutions/03-denoising/denoising.c — the denoising auto-encoder of Louppe L11, its
 * posterior-mean weakness on a Gaussian mixture, and the fitted latent Gaussian (see
 * chapters/03-denoising/denoising.h and README.md for the math). */
#include "denoising.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "loss.h"
#include "matrix.h"
#include "numerics.h"

/* ---- corruptions x -> x~ --------------------------------------------------------------- */

/* x~_j = 0 with probability p, x~_j = x_j otherwise    (Louppe L11, masking noise) */
void corrupt_mask(double *X_tilde, const double *X, size_t n, double p, Rng *rng)
{
    /* BEGIN EXERCISE 3.1 */
    for (size_t j = 0; j < n; j++)
        X_tilde[j] = rng_bernoulli(rng, p) ? 0.0 : X[j];
    /* STUB
    (void)X;
    (void)p;
    (void)rng;
    vector_zero(X_tilde, n); // zeros: a safe wrong answer
    END EXERCISE */
}

/* x~ = x + sigma eps, eps ~ N(0, I)    (Louppe L11, Gaussian noise) */
void corrupt_gaussian(double *X_tilde, const double *X, size_t n, double sigma, Rng *rng)
{
    /* BEGIN EXERCISE 3.2 */
    rng_fill_normal(rng, X_tilde, n, 0.0, sigma); /* sigma eps */
    vector_axpy(X_tilde, 1.0, X, n);              /* + x */
    /* STUB
    (void)X;
    (void)sigma;
    (void)rng;
    vector_zero(X_tilde, n); // zeros: a safe wrong answer
    END EXERCISE */
}

/* x~ ~ c(x~ | x): masking noise or Gaussian noise, by the two exercises above */
void corrupt(double *X_tilde, const double *X, size_t n, Corruption corruption, Rng *rng)
{
    if (corruption.kind == CORRUPTION_MASK)
        corrupt_mask(X_tilde, X, n, corruption.level, rng);
    else
        corrupt_gaussian(X_tilde, X, n, corruption.level, rng);
}

bool corruption_check(Corruption corruption, Error *err)
{
    double level = corruption.level;
    if (corruption.kind == CORRUPTION_MASK && !(level >= 0.0 && level <= 1.0)) /* NaN fails too */
        return error_set(err, "the masking probability p = %g is outside [0, 1]", level);
    if (corruption.kind == CORRUPTION_GAUSSIAN && !(level >= 0.0 && isfinite(level)))
        return error_set(err, "the noise level sigma = %g must be finite and at least 0", level);
    return true;
}

void corruption_describe(char *buffer, size_t size, Corruption corruption)
{
    if (corruption.kind == CORRUPTION_MASK)
        snprintf(buffer, size, "masking p = %g", corruption.level);
    else
        snprintf(buffer, size, "Gaussian sigma = %g", corruption.level);
}

/* ---- the denoising auto-encoder h = g o f ---------------------------------------------- */

/* h = g o f: the layers of f, then those of g, as one list (Louppe L11: h = g o f : X -> X) */
bool dae_compose(Mlp *h, const Mlp *f, const Mlp *g, Error *err)
{
    if (mlp_output_size(f) != mlp_input_size(g))
        return error_set(err, "cannot compose g o f: f gives %zu numbers and g takes %zu",
                         mlp_output_size(f), mlp_input_size(g));
    *h = (Mlp){ .layer_count = f->layer_count + g->layer_count,
                .max_batch = f->max_batch < g->max_batch ? f->max_batch : g->max_batch };
    h->layers = checked_calloc(h->layer_count, sizeof *h->layers, err);
    if (!h->layers)
        return false;
    /* Copies of the layer descriptions: the same W, b, gradients and buffers, f's first. */
    memcpy(h->layers, f->layers, f->layer_count * sizeof *h->layers);
    memcpy(h->layers + f->layer_count, g->layers, g->layer_count * sizeof *h->layers);
    return true;
}

void dae_compose_free(Mlp *h)
{
    free(h->layers); /* only the list: the layers belong to f and g */
    *h = (Mlp){ 0 };
}

bool dae_init(Denoiser *dae, Mlp *h, Corruption corruption, Error *err)
{
    *dae = (Denoiser){ .h = h, .corruption = corruption, .dim = mlp_input_size(h) };
    if (mlp_output_size(h) != dae->dim)
        return error_set(err, "a denoiser maps X to X, but h takes %zu numbers and gives %zu",
                         dae->dim, mlp_output_size(h));
    if (!corruption_check(corruption, err))
        return false;
    dae->X_tilde = alloc_doubles(h->max_batch * dae->dim, err);
    dae->grad_output = alloc_doubles(h->max_batch * dae->dim, err);
    if (!dae->X_tilde || !dae->grad_output) {
        dae_free(dae);
        return false;
    }
    mlp_parameters(h, &dae->parameters, "h");
    return true;
}

void dae_free(Denoiser *dae)
{
    free(dae->X_tilde);
    free(dae->grad_output);
    *dae = (Denoiser){ 0 };
}

const double *dae_reconstruction(const Denoiser *dae)
{
    return mlp_output(dae->h);
}

/* L = (1/B) sum_i ||h(x~_i) - x_i||^2    (Louppe L11: h(x~) ~ x) */
double dae_loss(Denoiser *dae, const double *X_tilde, const double *X, size_t B)
{
    /* BEGIN EXERCISE 3.3 */
    const double *H = mlp_forward(dae->h, X_tilde, B); /* h(x~): the corrupted input */
    return squared_error_loss(H, X, B, dae->dim);       /* against the clean target x */
    /* STUB
    (void)dae;
    (void)X_tilde;
    (void)X;
    (void)B;
    return NAN;
    END EXERCISE */
}

/* theta <- optimiser(theta, dL/dtheta), L = (1/B) sum_i ||h(x~_i) - x_i||^2, x~ drawn afresh */
double dae_train_step(Denoiser *dae, Optimizer *optimizer, const double *X, size_t B, Rng *rng)
{
    /* BEGIN EXERCISE 3.4 */
    size_t n = B * dae->dim;
    corrupt(dae->X_tilde, X, n, dae->corruption, rng); /* a new x~ at every step */
    parameters_zero_grad(&dae->parameters);
    double loss = dae_loss(dae, dae->X_tilde, X, B);
    vector_zero(dae->grad_output, n);
    squared_error_backward(dae->grad_output, dae_reconstruction(dae), X, B, dae->dim); /* (2/B)(h(x~) - x) */
    mlp_backward(NULL, dae->h, dae->grad_output);                                 /* dL/dtheta_g, dL/dtheta_f */
    optimizer_step(optimizer);
    return loss;
    /* STUB
    (void)dae;
    (void)optimizer;
    (void)X;
    (void)B;
    (void)rng;
    return NAN;
    END EXERCISE */
}

/* ---- the BatchFunctions of lib/train.h ---------------------------------------------------- */

/* x~ ~ c(x~ | x), L(x~, x), then theta <- optimiser(theta, dL/dtheta) */
double dae_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    DenoiserTrainer *t = trainer;
    return dae_train_step(t->dae, t->optimizer, X, B, t->rng);
}

/* x~ ~ c(x~ | x) from the evaluation's own generator, then L(x~, x), theta unchanged */
double dae_evaluate_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    DenoiserTrainer *t = trainer;
    Denoiser *dae = t->dae;
    corrupt(dae->X_tilde, X, B * dae->dim, dae->corruption, t->test_rng);
    return dae_loss(dae, dae->X_tilde, X, B);
}

/* ---- the weakness: h(x~) = E[x | x~] on a Gaussian mixture ------------------------------- */

/* k ~ Categorical(pi) by inverting the cumulative weights, then x = mu_k + s_k eps */
void mixture_sample(double *x, const GaussianMixture *mixture, size_t count, Rng *rng)
{
    for (size_t n = 0; n < count; n++) {
        double u = rng_uniform(rng), cumulative = mixture->weight[0];
        size_t k = 0;
        while (u >= cumulative && k + 1 < MIXTURE_COMPONENTS)
            cumulative += mixture->weight[++k];
        x[n] = mixture->mean[k] + mixture->std[k] * rng_normal(rng);
    }
}

/* E[x] = sum_k pi_k mu_k */
double mixture_mean(const GaussianMixture *mixture)
{
    double mean = 0.0;
    for (size_t k = 0; k < MIXTURE_COMPONENTS; k++)
        mean += mixture->weight[k] * mixture->mean[k];
    return mean;
}

/* p(x) = sum_k pi_k N(x; mu_k, s_k^2) */
double mixture_density(const GaussianMixture *mixture, double x)
{
    double density = 0.0;
    for (size_t k = 0; k < MIXTURE_COMPONENTS; k++)
        density += mixture->weight[k]
                   * exp(log_normal_density(x, mixture->mean[k], mixture->std[k] * mixture->std[k]));
    return density;
}

/* p(x | x~) propto p(x) N(x~; x, sigma^2), component by component    (Louppe L11: the posterior
 * p(x | x~) of a denoising auto-encoder is possibly multi-modal) */
void mixture_posterior(GaussianMixture *posterior, const GaussianMixture *prior, double sigma, double x_tilde)
{
    /* BEGIN EXERCISE 3.5 */
    double log_weight[MIXTURE_COMPONENTS];
    double noise_variance = sigma * sigma;
    for (size_t k = 0; k < MIXTURE_COMPONENTS; k++) {
        double prior_variance = prior->std[k] * prior->std[k];
        double evidence_variance = prior_variance + noise_variance; /* x~ | k ~ N(mu_k, s_k^2 + sigma^2) */
        log_weight[k] = log(prior->weight[k]) + log_normal_density(x_tilde, prior->mean[k], evidence_variance);
        posterior->mean[k] = (noise_variance * prior->mean[k] + prior_variance * x_tilde) / evidence_variance;
        posterior->std[k] = sqrt(prior_variance * noise_variance / evidence_variance);
    }
    /* pi'_k = exp(log_weight_k) / sum_l exp(log_weight_l), shifted by the largest so that
     * far from both modes the weights do not underflow to 0/0 (lib/numerics.h) */
    softmax(posterior->weight, log_weight, MIXTURE_COMPONENTS);
    /* STUB
    (void)prior;
    (void)sigma;
    (void)x_tilde;
    for (size_t k = 0; k < MIXTURE_COMPONENTS; k++) // NaN: a safe wrong answer
        posterior->weight[k] = posterior->mean[k] = posterior->std[k] = NAN;
    END EXERCISE */
}

/* ---- sampling from an auto-encoder's latent space ----------------------------------------- */

bool latent_gaussian_init(LatentGaussian *q, size_t d, Error *err)
{
    *q = (LatentGaussian){ .d = d };
    q->mean = alloc_doubles(d, err);
    q->variance = alloc_doubles(d, err);
    if (!q->mean || !q->variance) {
        latent_gaussian_free(q);
        return false;
    }
    return true;
}

void latent_gaussian_free(LatentGaussian *q)
{
    free(q->mean);
    free(q->variance);
    *q = (LatentGaussian){ 0 };
}

/* mu^ = (1/N) sum_i z_i,  Sigma^ = diag((1/N) sum_i (z_i - mu^)^2)    (Louppe L11: q(z) = N(mu^, Sigma^),
 * both estimated on training data) */
void latent_gaussian_fit(LatentGaussian *q, const double *Z, size_t N)
{
    /* BEGIN EXERCISE 3.6 */
    size_t d = q->d;
    vector_zero(q->mean, d);
    sum_rows_add(q->mean, Z, N, d);
    vector_scale(q->mean, 1.0 / (double)N, d);
    vector_zero(q->variance, d);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < d; j++) {
            double deviation = Z[i * d + j] - q->mean[j];
            q->variance[j] += deviation * deviation;
        }
    vector_scale(q->variance, 1.0 / (double)N, d);
    /* STUB
    (void)Z;
    (void)N;
    vector_zero(q->mean, q->d); // zeros: a safe wrong answer
    vector_zero(q->variance, q->d);
    END EXERCISE */
}

/* z = mu^ + Sigma^(1/2) eps, eps ~ N(0, I)    (Louppe L11: sample there, then map with g) */
void latent_gaussian_sample(double *Z, const LatentGaussian *q, size_t count, Rng *rng)
{
    /* BEGIN EXERCISE 3.7 */
    size_t d = q->d;
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < d; j++)
            Z[i * d + j] = q->mean[j] + sqrt(q->variance[j]) * rng_normal(rng);
    /* STUB
    (void)rng;
    vector_zero(Z, count * q->d); // zeros: a safe wrong answer
    END EXERCISE */
}
