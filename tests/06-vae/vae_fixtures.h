/* tests/06-vae/vae_fixtures.h — the small Bernoulli VAE of the IWAE and inpainting tests,
 * and that model written out as loops, one example at a time (a reference that does not
 * call the chapter's code). Linked into every suite of the folder. */
#ifndef VAELAB_VAE_FIXTURES_H
#define VAELAB_VAE_FIXTURES_H

#include <stddef.h>

#include "vae.h"

enum { FIXTURE_P = 6, FIXTURE_H = 5, FIXTURE_MAX_D = 4 };

/* A VAE 6-5-d (d <= FIXTURE_MAX_D), tanh hidden layers (smooth, for gradient checks), a
 * Bernoulli decoder, biases N(0, 0.3^2) instead of 0; aborts if it cannot be built. */
Vae fixture_vae(unsigned seed, size_t d, size_t max_batch);

/* The encoder's mu(x) and log sigma^2(x) (unclamped: the fixtures stay far from the clamp). */
void reference_encode(double *mu, double *log_variance, const Vae *vae, const double *x);

/* The decoder's logits s(z).                                             s (p), z (d) */
void reference_logits(double *s, const Vae *vae, const double *z);

/* log p_theta(x | z) = sum_j x_j log p_j + (1 - x_j) log(1 - p_j), p = sigmoid(s(z)), through
 * log1p (accurate enough for centred differences).                      x (p), z (d) */
double reference_log_likelihood(const Vae *vae, const double *x, const double *z);

#endif
