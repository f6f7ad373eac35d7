/* solutions/01-autoencoder/autoencoder.c — the auto-encoder of Louppe L11 (see
 * chapters/01-autoencoder/autoencoder.h and README.md for the math). */
#include "autoencoder.h"

#include <math.h>
#include <stdlib.h>

#include "exercise.h"
#include "loss.h"
#include "matrix.h"

bool ae_init(Autoencoder *ae, AutoencoderShape shape, size_t max_batch, Rng *rng, Error *err)
{
    *ae = (Autoencoder){ .shape = shape };
    /* f: p -> [hidden ->] d, and its mirror image g: d -> [hidden ->] p */
    size_t encoder_sizes[3] = { shape.p, shape.hidden, shape.d };
    size_t decoder_sizes[3] = { shape.d, shape.hidden, shape.p };
    if (shape.hidden == 0) {
        encoder_sizes[1] = shape.d;
        decoder_sizes[1] = shape.p;
    }
    size_t size_count = shape.hidden ? 3 : 2;
    bool ok = mlp_init(&ae->encoder, encoder_sizes, size_count, shape.hidden_activation,
                       ACTIVATION_IDENTITY, max_batch, rng, err)
              && mlp_init(&ae->decoder, decoder_sizes, size_count, shape.hidden_activation,
                          shape.output_activation, max_batch, rng, err)
              && (ae->grad_code = alloc_doubles(max_batch * shape.d, err))
              && (ae->grad_output = alloc_doubles(max_batch * shape.p, err))
              && (ae->latent = alloc_doubles(max_batch * shape.d, err))
              && (ae->zeros = alloc_doubles(max_batch * (shape.p > shape.d ? shape.p : shape.d), err));
    if (!ok) {
        ae_free(ae);
        return false;
    }
    mlp_parameters(&ae->encoder, &ae->parameters, "f");
    mlp_parameters(&ae->decoder, &ae->parameters, "g");
    return true;
}

void ae_free(Autoencoder *ae)
{
    mlp_free(&ae->encoder);
    mlp_free(&ae->decoder);
    free(ae->grad_code);
    free(ae->grad_output);
    free(ae->latent);
    free(ae->zeros);
    *ae = (Autoencoder){ 0 };
}

/* z = f(x; theta_f) */
const double *ae_encode(Autoencoder *ae, const double *X, size_t B)
{
    /* BEGIN EXERCISE 1.1 */
    return mlp_forward(&ae->encoder, X, B);
    /* STUB
    (void)X;
    (void)B;
    return ae->zeros; // zeros: a safe wrong answer
    END EXERCISE */
}

/* xhat = g(z; theta_g) */
const double *ae_decode(Autoencoder *ae, const double *Z, size_t B)
{
    /* BEGIN EXERCISE 1.1 */
    return mlp_forward(&ae->decoder, Z, B);
    /* STUB
    (void)Z;
    (void)B;
    return ae->zeros; // zeros: a safe wrong answer
    END EXERCISE */
}

/* L = (1/B) sum_i ||x_i - g(f(x_i))||^2    (Louppe L11, the empirical reconstruction loss) */
double ae_forward(Autoencoder *ae, const double *X, size_t B)
{
    /* BEGIN EXERCISE 1.2 */
    const double *Z = ae_encode(ae, X, B);
    const double *Xhat = ae_decode(ae, Z, B);
    return squared_error_loss(Xhat, X, B, ae->shape.p);
    /* STUB
    (void)ae;
    (void)X;
    (void)B;
    return NAN;
    END EXERCISE */
}

/* The chain rule, from the loss back to theta_f:
 *     dL/dxhat = (2/B)(xhat - x),   dL/dz = g's backward pass,   dL/dtheta_f = f's backward. */
void ae_backward(Autoencoder *ae, const double *X, size_t B)
{
    /* BEGIN EXERCISE 1.3 */
    const double *Xhat = mlp_output(&ae->decoder);
    vector_zero(ae->grad_output, B * ae->shape.p);
    squared_error_backward(ae->grad_output, Xhat, X, B, ae->shape.p);
    vector_zero(ae->grad_code, B * ae->shape.d);
    mlp_backward(ae->grad_code, &ae->decoder, ae->grad_output); /* dL/dtheta_g, and dL/dz */
    mlp_backward(NULL, &ae->encoder, ae->grad_code);            /* dL/dtheta_f */
    /* STUB
    (void)ae;
    (void)X;
    (void)B;
    END EXERCISE */
}

/* theta <- optimiser(theta, dL/dtheta) on one mini-batch */
double ae_train_step(Autoencoder *ae, Optimizer *optimizer, const double *X, size_t B)
{
    /* BEGIN EXERCISE 1.4 */
    parameters_zero_grad(&ae->parameters);
    double loss = ae_forward(ae, X, B);
    ae_backward(ae, X, B);
    optimizer_step(optimizer);
    return loss;
    /* STUB
    (void)ae;
    (void)optimizer;
    (void)X;
    (void)B;
    return NAN;
    END EXERCISE */
}

/* xhat(t) = g((1 - t) f(x_a) + t f(x_b))    (Louppe L11, "Interpolation") */
void ae_interpolate(Autoencoder *ae, double *out, const double *X_ends, const double *t, size_t T)
{
    /* BEGIN EXERCISE 1.5 */
    size_t p = ae->shape.p, d = ae->shape.d;
    const double *z_ends = ae_encode(ae, X_ends, 2); /* (2, d): z_a, then z_b */
    for (size_t k = 0; k < T; k++)
        for (size_t j = 0; j < d; j++)
            ae->latent[k * d + j] = (1.0 - t[k]) * z_ends[j] + t[k] * z_ends[d + j];
    vector_copy(out, ae_decode(ae, ae->latent, T), T * p);
    /* STUB
    (void)X_ends;
    (void)t;
    vector_zero(out, T * ae->shape.p);
    END EXERCISE */
}

/* Z = f(X), max_batch rows at a time */
void ae_encode_all(Autoencoder *ae, double *Z, const double *X, size_t N)
{
    size_t batch = ae->encoder.max_batch, d = ae->shape.d, p = ae->shape.p;
    for (size_t start = 0; start < N; start += batch) {
        size_t B = start + batch <= N ? batch : N - start;
        vector_copy(Z + start * d, ae_encode(ae, X + start * p, B), B * d);
    }
}

/* ---- the BatchFunctions of lib/train.h ---------------------------------------------------- */

/* L(X), then theta <- optimiser(theta, dL/dtheta) */
double ae_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    AutoencoderTrainer *t = trainer;
    return ae_train_step(t->ae, t->optimizer, X, B);
}

/* L(X) = (1/B) sum_i ||x_i - g(f(x_i))||^2, theta unchanged */
double ae_evaluate_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    AutoencoderTrainer *t = trainer;
    return ae_forward(t->ae, X, B);
}
