/* tests/06-vae/vae_fixtures.c — see vae_fixtures.h. */
#include "vae_fixtures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "rng.h"

Vae fixture_vae(unsigned seed, size_t d, size_t max_batch)
{
    Vae vae;
    Rng rng;
    Error err;
    rng_seed(&rng, seed);
    VaeShape shape = { FIXTURE_P, FIXTURE_H, d, ACTIVATION_TANH, VAE_DECODER_BERNOULLI, 0.0 };
    if (d > FIXTURE_MAX_D || !vae_init(&vae, shape, max_batch, &rng, &err))
        abort();
    for (size_t t = 0; t < vae.parameters.count; t++)
        if (strstr(vae.parameters.items[t].name, ".b"))
            rng_fill_normal(&rng, vae.parameters.items[t].value, vae.parameters.items[t].size, 0.0, 0.3);
    return vae;
}

/* out_j = act(sum_i W_ij in_i + b_j),  W (in, out) */
static void layer(double *out, const Dense *dense, Activation activation, const double *in)
{
    for (size_t j = 0; j < dense->out; j++) {
        double a = dense->b[j];
        for (size_t i = 0; i < dense->in; i++)
            a += dense->W[i * dense->out + j] * in[i];
        activation_forward(&out[j], activation, &a, 1);
    }
}

void reference_encode(double *mu, double *log_variance, const Vae *vae, const double *x)
{
    double h[FIXTURE_H];
    layer(h, &vae->encoder_hidden.layers[0].dense, ACTIVATION_TANH, x);
    layer(mu, &vae->encoder_mu, ACTIVATION_IDENTITY, h);
    layer(log_variance, &vae->encoder_log_variance, ACTIVATION_IDENTITY, h);
}

void reference_logits(double *s, const Vae *vae, const double *z)
{
    double h[FIXTURE_H];
    layer(h, &vae->decoder_hidden.layers[0].dense, ACTIVATION_TANH, z);
    layer(s, &vae->decoder_mu, ACTIVATION_IDENTITY, h);
}

double reference_log_likelihood(const Vae *vae, const double *x, const double *z)
{
    double s[FIXTURE_P], sum = 0.0;
    reference_logits(s, vae, z);
    for (size_t j = 0; j < FIXTURE_P; j++) /* log p = -log(1 + e^-s), log(1 - p) = -log(1 + e^s) */
        sum -= x[j] * log1p(exp(-s[j])) + (1.0 - x[j]) * log1p(exp(s[j]));
    return sum;
}
