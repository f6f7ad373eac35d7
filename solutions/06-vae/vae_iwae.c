/* solutions/06-vae/vae_iwae.c — training a VAE on the k-sample importance-weighted bound
 * (Burda, Grosse & Salakhutdinov 2016, "Importance weighted autoencoders"; Wu L6: "use
 * more than one sample from q(z|x) for a tighter lower bound"). See chapters/06-vae/vae.h
 * and README.md section "Importance-weighted training" for the math.
 *
 * The k samples of digit i are rows r = i k + s of one batch of B k codes: the encoder
 * runs once per digit, the decoder once per sample.
 */
#include "vae.h"

#include <math.h>
#include <stdlib.h>

#include "exercise.h"
#include "matrix.h"
#include "numerics.h"

bool iwae_init(Iwae *iwae, const Vae *vae, size_t k, size_t max_batch, Error *err)
{
    *iwae = (Iwae){ .k = k, .max_batch = max_batch };
    if (k == 0 || max_batch == 0)
        return error_set(err, "the k-sample bound needs k >= 1 and a batch of at least 1 digit (got k = %zu, %zu)",
                         k, max_batch);
    if (vae->shape.decoder != VAE_DECODER_BERNOULLI)
        return error_set(err, "importance-weighted training is written for the Bernoulli decoder");
    if (vae->max_batch / k < max_batch)
        return error_set(err, "k = %zu samples of %zu digits need a VAE built for %zu rows (it has %zu)", k,
                         max_batch, k * max_batch, vae->max_batch);
    bool ok = (iwae->log_weights = alloc_doubles(max_batch * k, err))
              && (iwae->weights = alloc_doubles(max_batch * k, err)) && (iwae->bound = alloc_doubles(max_batch, err));
    if (!ok)
        iwae_free(iwae);
    return ok;
}

void iwae_free(Iwae *iwae)
{
    free(iwae->log_weights);
    free(iwae->weights);
    free(iwae->bound);
    *iwae = (Iwae){ 0 };
}

/* bound = log (1/k) sum_s w_s,  w~_s = w_s / sum_t w_t: both from log w, never from w
 * itself, which underflows to 0 for log w < -745 (a digit's log w is about -100 to -500). */
void iwae_normalized_weights(double *bound, double *weights, const double *log_weights, size_t B, size_t k)
{
    /* BEGIN EXERCISE 6.15 */
    for (size_t i = 0; i < B; i++) {
        bound[i] = log_mean_exp(log_weights + i * k, k);
        softmax(weights + i * k, log_weights + i * k, k);
    }
    /* STUB
    (void)log_weights;
    for (size_t i = 0; i < B; i++)
        bound[i] = NAN; // a safe wrong answer
    for (size_t i = 0; i < B * k; i++)
        weights[i] = NAN;
    END EXERCISE */
}

/* -(1/B) sum_i log (1/k) sum_s p_theta(x_i | z_is) p(z_is) / q_phi(z_is | x_i),
 * z_is = mu(x_i) + sigma(x_i) (.) eps_is                                    (Burda et al., eq. 8) */
double iwae_forward(Vae *vae, Iwae *iwae, const double *X, const double *eps, size_t B)
{
    /* BEGIN EXERCISE 6.16 */
    size_t p = vae->shape.p, d = vae->shape.d, k = iwae->k;
    vae_encode(vae, X, B); /* q_phi(z | x_i) = N(mu_i, sigma_i^2), once per digit */
    for (size_t i = 0; i < B; i++)
        for (size_t r = i * k; r < (i + 1) * k; r++)
            vae_reparameterize(vae->z + r * d, vae->mu_z + i * d, vae->log_variance_z + i * d, eps + r * d, d);
    vae_decode(vae, vae->z, B * k); /* p_theta(x | z_is), once per sample */
    for (size_t i = 0; i < B; i++)
        for (size_t r = i * k; r < (i + 1) * k; r++) {
            vae_bernoulli_log_likelihood(&vae->log_likelihood[r], X + i * p, vae->mu_x + r * p, 1, p);
            double log_prior = 0.0, log_posterior = 0.0;
            for (size_t j = 0; j < d; j++) {
                log_prior += log_normal_density(vae->z[r * d + j], 0.0, 1.0);
                log_posterior += log_normal_density(vae->z[r * d + j], vae->mu_z[i * d + j],
                                                    exp(vae->log_variance_z[i * d + j]));
            }
            iwae->log_weights[r] = vae->log_likelihood[r] + log_prior - log_posterior;
        }
    iwae_normalized_weights(iwae->bound, iwae->weights, iwae->log_weights, B, k);
    return -vector_sum(iwae->bound, B) / (double)B;
    /* STUB
    (void)vae;
    (void)iwae;
    (void)X;
    (void)eps;
    (void)B;
    return NAN; // a safe wrong answer
    END EXERCISE */
}

/* dL/dlog w_is = -(1/B) w~_is, and for each sample
 *   grad log w = grad log p_theta(x | z) + grad log p(z) - grad log q_phi(z | x),  z = mu + sigma eps:
 *   - log p_theta(x | z): the decoder's likelihood, back through the decoder to z;
 *   - log p(z) = sum_j log N(z_j; 0, 1):  d/dz = -z;
 *   - -log q_phi(z | x) = 1/2 sum_j [log 2 pi + log sigma_j^2 + (z_j - mu_j)^2 / sigma_j^2] depends on
 *     phi through z (d/dz = (z - mu) / sigma^2 = eps / sigma, which the reparameterisation sends to
 *     (mu, log sigma^2) as (eps / sigma, 1/2 eps^2)) and directly at fixed z (the score-like term,
 *     d/dmu = -eps / sigma, d/dlog sigma^2 = 1/2 (1 - eps^2)). The two add up to (0, 1/2): with z
 *     reparameterised, -log q = 1/2 sum_j (log 2 pi + log sigma_j^2 + eps_j^2), and that is what is
 *     differentiated below. Dropping the direct term would leave (eps / sigma, 1/2 eps^2) instead. */
void iwae_backward(Vae *vae, Iwae *iwae, const double *X, const double *eps, size_t B)
{
    /* BEGIN EXERCISE 6.17 */
    size_t p = vae->shape.p, d = vae->shape.d, hidden = vae->shape.hidden, k = iwae->k, n = B * k;
    /* the decoder, sample by sample, each scaled by its dL/dlog w = -(1/B) w~ */
    vector_zero(vae->grad_mu_x, n * p);
    vector_zero(vae->grad_decoder_h, n * hidden);
    vector_zero(vae->grad_z, n * d);
    for (size_t i = 0; i < B; i++)
        for (size_t r = i * k; r < (i + 1) * k; r++)
            vae_bernoulli_log_likelihood_backward(vae->grad_mu_x + r * p, X + i * p, vae->mu_x + r * p,
                                                  -iwae->weights[r] / (double)B, p);
    dense_backward(vae->grad_decoder_h, &vae->decoder_mu, mlp_output(&vae->decoder_hidden), vae->grad_mu_x, n);
    mlp_backward(vae->grad_z, &vae->decoder_hidden, vae->grad_decoder_h);
    /* log p(z) through z; then every sample's dL/dz back to its digit's mu and log sigma^2 */
    for (size_t r = 0; r < n; r++)
        vector_axpy(vae->grad_z + r * d, iwae->weights[r] / (double)B, vae->z + r * d, d); /* -(1/B) w~ (-z) */
    vector_zero(vae->grad_mu_z, B * d);
    vector_zero(vae->grad_log_variance_z, B * d);
    for (size_t i = 0; i < B; i++)
        for (size_t r = i * k; r < (i + 1) * k; r++) {
            vae_reparameterize_backward(vae->grad_mu_z + i * d, vae->grad_log_variance_z + i * d, vae->grad_z + r * d,
                                        vae->log_variance_z + i * d, eps + r * d, d);
            for (size_t j = 0; j < d; j++) /* -log q(z(eps) | x): 1/2 per log sigma_j^2 */
                vae->grad_log_variance_z[i * d + j] += -iwae->weights[r] / (double)B * 0.5;
        }
    vae_clamp_backward(vae->grad_log_variance_z, vae->log_variance_z, B * d, VAE_LOG_VARIANCE_MIN,
                       VAE_LOG_VARIANCE_MAX);
    /* the encoder: both heads meet in the shared hidden layer */
    const double *encoder_h = mlp_output(&vae->encoder_hidden);
    vector_zero(vae->grad_encoder_h, B * hidden);
    dense_backward(vae->grad_encoder_h, &vae->encoder_mu, encoder_h, vae->grad_mu_z, B);
    dense_backward(vae->grad_encoder_h, &vae->encoder_log_variance, encoder_h, vae->grad_log_variance_z, B);
    mlp_backward(NULL, &vae->encoder_hidden, vae->grad_encoder_h);
    /* STUB
    (void)vae;
    (void)iwae;
    (void)X;
    (void)eps;
    (void)B;
    END EXERCISE */
}

/* eps_is ~ N(0, I); theta, phi <- optimiser(theta, phi, grad of the negative k-sample bound) */
double iwae_train_step(Vae *vae, Iwae *iwae, Optimizer *optimizer, const double *X, size_t B, Rng *rng)
{
    /* BEGIN EXERCISE 6.17 */
    rng_fill_normal(rng, vae->eps, B * iwae->k * vae->shape.d, 0.0, 1.0);
    parameters_zero_grad(&vae->parameters);
    double loss = iwae_forward(vae, iwae, X, vae->eps, B);
    iwae_backward(vae, iwae, X, vae->eps, B);
    optimizer_step(optimizer);
    return loss;
    /* STUB
    (void)vae;
    (void)iwae;
    (void)optimizer;
    (void)X;
    (void)B;
    (void)rng;
    return NAN; // a safe wrong answer
    END EXERCISE */
}

double iwae_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    IwaeTrainer *t = trainer;
    return iwae_train_step(t->vae, t->iwae, t->optimizer, X, B, t->rng);
}

double iwae_evaluate_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    IwaeTrainer *t = trainer;
    rng_fill_normal(t->rng, t->vae->eps, B * t->iwae->k * t->vae->shape.d, 0.0, 1.0);
    return iwae_forward(t->vae, t->iwae, X, t->vae->eps, B);
}
