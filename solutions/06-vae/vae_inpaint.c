/* solutions/06-vae/vae_inpaint.c — inpainting with a VAE (Wu L6, "Inpainting with VAE"):
 * train with random masks on the encoder's input, x (.) m -> z -> x, then fill the missing
 * pixels with E[x | z = mu(x (.) m)]. See chapters/06-vae/vae.h and README.md section
 * "Inpainting".
 */
#include "vae.h"

#include <math.h>
#include <stdlib.h>

#include "exercise.h"
#include "matrix.h"

bool masked_batch_init(MaskedBatch *batch, size_t max_batch, size_t rows, size_t cols, Error *err)
{
    *batch = (MaskedBatch){ .max_batch = max_batch, .rows = rows, .cols = cols };
    bool ok = (batch->mask = alloc_doubles(max_batch * rows * cols, err))
              && (batch->X_masked = alloc_doubles(max_batch * rows * cols, err));
    if (!ok)
        masked_batch_free(batch);
    return ok;
}

void masked_batch_free(MaskedBatch *batch)
{
    free(batch->mask);
    free(batch->X_masked);
    *batch = (MaskedBatch){ 0 };
}

/* ---- masks ------------------------------------------------------------------------------------- */

const char *mask_kind_name(MaskKind kind)
{
    static const char *const names[MASK_KINDS] = { "top half", "left half", "random 50%", "random 80%",
                                                   "centred square" };
    return kind < MASK_KINDS ? names[kind] : "?";
}

/* m = 1 everywhere but the rectangle [top, top + height) x [left, left + width), which is 0. */
static void mask_rectangle(double *mask, size_t rows, size_t cols, size_t top, size_t left, size_t height,
                           size_t width)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            mask[r * cols + c] = r >= top && r < top + height && c >= left && c < left + width ? 0.0 : 1.0;
}

/* each pixel missing (m = 0) with probability `missing` */
static void mask_pixels(double *mask, size_t n, double missing, Rng *rng)
{
    for (size_t j = 0; j < n; j++)
        mask[j] = rng_bernoulli(rng, missing) ? 0.0 : 1.0;
}

void mask_of_kind(double *mask, MaskKind kind, size_t rows, size_t cols, Rng *rng)
{
    switch (kind) {
    case MASK_TOP_HALF: mask_rectangle(mask, rows, cols, 0, 0, rows / 2, cols); break;
    case MASK_LEFT_HALF: mask_rectangle(mask, rows, cols, 0, 0, rows, cols / 2); break;
    case MASK_RANDOM_50: mask_pixels(mask, rows * cols, 0.5, rng); break;
    case MASK_RANDOM_80: mask_pixels(mask, rows * cols, 0.8, rng); break;
    case MASK_CENTRED_SQUARE: mask_rectangle(mask, rows, cols, rows / 4, cols / 4, rows / 2, cols / 2); break;
    default: mask_pixels(mask, rows * cols, 0.0, rng); break;
    }
}

/* a uniform integer in [lo, hi] */
static size_t uniform_size(size_t lo, size_t hi, Rng *rng)
{
    size_t n = lo + (size_t)(rng_uniform(rng) * (double)(hi - lo + 1));
    return n > hi ? hi : n;
}

void mask_random(double *mask, size_t rows, size_t cols, Rng *rng)
{
    if (rng_uniform(rng) < 0.5) {
        mask_pixels(mask, rows * cols, 0.9 * rng_uniform(rng), rng);
        return;
    }
    size_t low_rows = rows / 4 > 0 ? rows / 4 : 1, low_cols = cols / 4 > 0 ? cols / 4 : 1;
    size_t height = uniform_size(low_rows, rows, rng), width = uniform_size(low_cols, cols, rng);
    size_t top = uniform_size(0, rows - height, rng), left = uniform_size(0, cols - width, rng);
    mask_rectangle(mask, rows, cols, top, left, height, width);
}

/* ---- the masked ELBO ------------------------------------------------------------------------- */

/* NELBO(x, m) = -(1/B) sum_i log p_theta(x_i | z_i) + (1/B) sum_i KL(q_phi(z | x-bar_i) || p(z)),
 * z_i = mu(x-bar_i) + sigma(x-bar_i) (.) eps_i,  x-bar = x (.) m: the mask on the encoder's input,
 * never on the target                                                           (Wu L6) */
double vae_masked_forward(Vae *vae, VaeLoss *loss, MaskedBatch *batch, const double *X, const double *eps, size_t B)
{
    /* BEGIN EXERCISE 6.18 */
    size_t p = vae->shape.p, d = vae->shape.d;
    for (size_t i = 0; i < B * p; i++)
        batch->X_masked[i] = X[i] * batch->mask[i];
    vae_encode(vae, batch->X_masked, B);
    vae_reparameterize(vae->z, vae->mu_z, vae->log_variance_z, eps, B * d);
    vae_decode(vae, vae->z, B);
    vae_log_likelihood(vae, vae->log_likelihood, X, B);
    vae_kl(vae->kl, vae->mu_z, vae->log_variance_z, B, d);
    VaeLoss terms = { -vector_sum(vae->log_likelihood, B) / (double)B, vector_sum(vae->kl, B) / (double)B };
    if (loss)
        *loss = terms;
    return terms.reconstruction + terms.kl;
    /* STUB
    (void)vae;
    (void)batch;
    (void)X;
    (void)eps;
    (void)B;
    if (loss)
        *loss = (VaeLoss){ NAN, NAN }; // a safe wrong answer
    return NAN;
    END EXERCISE */
}

/* a fresh mask per digit, eps ~ N(0, I); theta, phi <- optimiser(theta, phi, dNELBO(x, m)/d(theta, phi)) */
double vae_masked_train_step(Vae *vae, Optimizer *optimizer, VaeLoss *loss, MaskedBatch *batch, const double *X,
                             size_t B, Rng *rng)
{
    /* BEGIN EXERCISE 6.18 */
    size_t p = vae->shape.p;
    for (size_t i = 0; i < B; i++)
        mask_random(batch->mask + i * p, batch->rows, batch->cols, rng);
    rng_fill_normal(rng, vae->eps, B * vae->shape.d, 0.0, 1.0);
    parameters_zero_grad(&vae->parameters);
    double nelbo = vae_masked_forward(vae, loss, batch, X, vae->eps, B);
    vae_backward(vae, X, vae->eps, B);
    optimizer_step(optimizer);
    return nelbo;
    /* STUB
    (void)vae;
    (void)optimizer;
    (void)batch;
    (void)X;
    (void)B;
    (void)rng;
    if (loss)
        *loss = (VaeLoss){ NAN, NAN }; // a safe wrong answer
    return NAN;
    END EXERCISE */
}

/* ---- filling the missing pixels ---------------------------------------------------------------- */

/* x-filled = m (.) x-bar + (1 - m) (.) E[x | z = mu(x-bar)]: the mean of q(z | x-bar), decoded */
void vae_inpaint(Vae *vae, double *X_filled, const double *X_masked, const double *mask, size_t B)
{
    /* BEGIN EXERCISE 6.18 */
    size_t n = B * vae->shape.p;
    vae_encode(vae, X_masked, B);
    vae_decoder_mean(vae, X_filled, vae->mu_z, B);
    for (size_t i = 0; i < n; i++)
        X_filled[i] = mask[i] * X_masked[i] + (1.0 - mask[i]) * X_filled[i];
    /* STUB
    (void)X_masked;
    (void)mask;
    vector_zero(X_filled, B * vae->shape.p); // zeros: a safe wrong answer
    END EXERCISE */
}

double vae_masked_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    MaskedVaeTrainer *t = trainer;
    return vae_masked_train_step(t->vae, t->optimizer, NULL, t->batch, X, B, t->rng);
}
