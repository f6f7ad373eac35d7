/* exercises/06-vae/vae_inpaint.c — inpainting with a VAE (Wu L6, "Inpainting with VAE"):
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
    /* EXERCISE 6.18 (3 points): inpainting: the masked ELBO, a training step, the filling.
     * Replace this stub with your code; `make hint EX=6.18` prints a hint. */
    exercise_not_implemented("6.18", __func__);
    (void)vae;
    (void)batch;
    (void)X;
    (void)eps;
    (void)B;
    if (loss)
        *loss = (VaeLoss){ NAN, NAN }; // a safe wrong answer
    return NAN;
    /* END EXERCISE 6.18 */
}

/* a fresh mask per digit, eps ~ N(0, I); theta, phi <- optimiser(theta, phi, dNELBO(x, m)/d(theta, phi)) */
double vae_masked_train_step(Vae *vae, Optimizer *optimizer, VaeLoss *loss, MaskedBatch *batch, const double *X,
                             size_t B, Rng *rng)
{
    /* EXERCISE 6.18 (3 points): inpainting: the masked ELBO, a training step, the filling.
     * Replace this stub with your code; `make hint EX=6.18` prints a hint. */
    exercise_not_implemented("6.18", __func__);
    (void)vae;
    (void)optimizer;
    (void)batch;
    (void)X;
    (void)B;
    (void)rng;
    if (loss)
        *loss = (VaeLoss){ NAN, NAN }; // a safe wrong answer
    return NAN;
    /* END EXERCISE 6.18 */
}

/* ---- filling the missing pixels ---------------------------------------------------------------- */

/* x-filled = m (.) x-bar + (1 - m) (.) E[x | z = mu(x-bar)]: the mean of q(z | x-bar), decoded */
void vae_inpaint(Vae *vae, double *X_filled, const double *X_masked, const double *mask, size_t B)
{
    /* EXERCISE 6.18 (3 points): inpainting: the masked ELBO, a training step, the filling.
     * Replace this stub with your code; `make hint EX=6.18` prints a hint. */
    exercise_not_implemented("6.18", __func__);
    (void)X_masked;
    (void)mask;
    vector_zero(X_filled, B * vae->shape.p); // zeros: a safe wrong answer
    /* END EXERCISE 6.18 */
}

double vae_masked_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    MaskedVaeTrainer *t = trainer;
    return vae_masked_train_step(t->vae, t->optimizer, NULL, t->batch, X, B, t->rng);
}
