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
    /* EXERCISE 1.1 (1 point): the encoder f and the decoder g.
     * Replace this stub with your code; `make hint EX=1.1` prints a hint. */
    exercise_not_implemented("1.1", __func__);
    (void)X;
    (void)B;
    return ae->zeros; // zeros: a safe wrong answer
    /* END EXERCISE 1.1 */
}

/* xhat = g(z; theta_g) */
const double *ae_decode(Autoencoder *ae, const double *Z, size_t B)
{
    /* EXERCISE 1.1 (1 point): the encoder f and the decoder g.
     * Replace this stub with your code; `make hint EX=1.1` prints a hint. */
    exercise_not_implemented("1.1", __func__);
    (void)Z;
    (void)B;
    return ae->zeros; // zeros: a safe wrong answer
    /* END EXERCISE 1.1 */
}

/* L = (1/B) sum_i ||x_i - g(f(x_i))||^2    (Louppe L11, the empirical reconstruction loss) */
double ae_forward(Autoencoder *ae, const double *X, size_t B)
{
    /* EXERCISE 1.2 (2 points): the empirical reconstruction loss.
     * Replace this stub with your code; `make hint EX=1.2` prints a hint. */
    exercise_not_implemented("1.2", __func__);
    (void)ae;
    (void)X;
    (void)B;
    return NAN;
    /* END EXERCISE 1.2 */
}

/* The chain rule, from the loss back to theta_f:
 *     dL/dxhat = (2/B)(xhat - x),   dL/dz = g's backward pass,   dL/dtheta_f = f's backward. */
void ae_backward(Autoencoder *ae, const double *X, size_t B)
{
    /* EXERCISE 1.3 (3 points): the backward pass, in the right order.
     * Replace this stub with your code; `make hint EX=1.3` prints a hint. */
    exercise_not_implemented("1.3", __func__);
    (void)ae;
    (void)X;
    (void)B;
    /* END EXERCISE 1.3 */
}

/* theta <- optimiser(theta, dL/dtheta) on one mini-batch */
double ae_train_step(Autoencoder *ae, Optimizer *optimizer, const double *X, size_t B)
{
    /* EXERCISE 1.4 (2 points): a training step.
     * Replace this stub with your code; `make hint EX=1.4` prints a hint. */
    exercise_not_implemented("1.4", __func__);
    (void)ae;
    (void)optimizer;
    (void)X;
    (void)B;
    return NAN;
    /* END EXERCISE 1.4 */
}

/* xhat(t) = g((1 - t) f(x_a) + t f(x_b))    (Louppe L11, "Interpolation") */
void ae_interpolate(Autoencoder *ae, double *out, const double *X_ends, const double *t, size_t T)
{
    /* EXERCISE 1.5 (2 points): interpolation in latent space.
     * Replace this stub with your code; `make hint EX=1.5` prints a hint. */
    exercise_not_implemented("1.5", __func__);
    (void)X_ends;
    (void)t;
    vector_zero(out, T * ae->shape.p);
    /* END EXERCISE 1.5 */
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
