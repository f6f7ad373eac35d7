/* solutions/07-cvae/cvae.c — the conditional VAE of Wu L6, "Conditioned VAE": chapter 6's
 * VAE with the label concatenated to each network's input (see chapters/07-cvae/cvae.h
 * and README.md for the math). The reparameterisation, the KL and the Bernoulli
 * likelihood are chapter 6's (vae.h), called, not copied. */
#include "cvae.h"

#include <math.h>
#include <stdlib.h>

#include "exercise.h"
#include "matrix.h"

bool cvae_shape_check(CvaeShape shape, Error *err)
{
    if (shape.p == 0 || shape.classes == 0 || shape.hidden == 0 || shape.d == 0)
        return error_set(err,
                         "a conditional VAE needs p, classes, hidden and d of at least 1 "
                         "(got p = %zu, classes = %zu, hidden = %zu, d = %zu)",
                         shape.p, shape.classes, shape.hidden, shape.d);
    return true;
}

bool cvae_init(Cvae *cvae, CvaeShape shape, size_t max_batch, Rng *rng, Error *err)
{
    *cvae = (Cvae){ .shape = shape, .max_batch = max_batch };
    if (!cvae_shape_check(shape, err))
        return false;
    size_t p = shape.p, classes = shape.classes, hidden = shape.hidden, d = shape.d, n = max_batch;
    size_t encoder_sizes[2] = { p + classes, hidden }, decoder_sizes[2] = { d + classes, hidden };
    Activation activation = shape.hidden_activation;
    bool ok = mlp_init(&cvae->encoder_hidden, encoder_sizes, 2, activation, activation, n, rng, err)
              && dense_init(&cvae->encoder_mu, hidden, d, 1.0, rng, err)
              && dense_init(&cvae->encoder_log_variance, hidden, d, 1.0, rng, err)
              && mlp_init(&cvae->decoder_hidden, decoder_sizes, 2, activation, activation, n, rng, err)
              && dense_init(&cvae->decoder_logits, hidden, p, 1.0, rng, err)
              && (cvae->encoder_input = alloc_doubles(n * (p + classes), err))
              && (cvae->decoder_input = alloc_doubles(n * (d + classes), err))
              && (cvae->mu_z = alloc_doubles(n * d, err)) && (cvae->log_variance_z = alloc_doubles(n * d, err))
              && (cvae->z = alloc_doubles(n * d, err)) && (cvae->logits = alloc_doubles(n * p, err))
              && (cvae->log_likelihood = alloc_doubles(n, err)) && (cvae->kl = alloc_doubles(n, err))
              && (cvae->eps = alloc_doubles(n * d, err)) && (cvae->grad_logits = alloc_doubles(n * p, err))
              && (cvae->grad_decoder_h = alloc_doubles(n * hidden, err))
              && (cvae->grad_decoder_input = alloc_doubles(n * (d + classes), err))
              && (cvae->grad_z = alloc_doubles(n * d, err)) && (cvae->grad_mu_z = alloc_doubles(n * d, err))
              && (cvae->grad_log_variance_z = alloc_doubles(n * d, err))
              && (cvae->grad_encoder_h = alloc_doubles(n * hidden, err)) && (cvae->nelbo = alloc_doubles(n, err))
              && (cvae->weights = alloc_doubles(n, err)) && (cvae->labels = alloc_doubles(n * classes, err));
    if (!ok) {
        cvae_free(cvae);
        return false;
    }
    mlp_parameters(&cvae->encoder_hidden, &cvae->parameters, "q.h");
    dense_parameters(&cvae->encoder_mu, &cvae->parameters, "q.mu");
    dense_parameters(&cvae->encoder_log_variance, &cvae->parameters, "q.logvar");
    mlp_parameters(&cvae->decoder_hidden, &cvae->parameters, "p.h");
    dense_parameters(&cvae->decoder_logits, &cvae->parameters, "p.logits");
    return true;
}

void cvae_free(Cvae *cvae)
{
    mlp_free(&cvae->encoder_hidden);
    dense_free(&cvae->encoder_mu);
    dense_free(&cvae->encoder_log_variance);
    mlp_free(&cvae->decoder_hidden);
    dense_free(&cvae->decoder_logits);
    double *arrays[] = {
        cvae->encoder_input,  cvae->decoder_input,      cvae->mu_z,           cvae->log_variance_z,
        cvae->z,              cvae->logits,             cvae->log_likelihood, cvae->kl,
        cvae->eps,            cvae->grad_logits,        cvae->grad_decoder_h, cvae->grad_decoder_input,
        cvae->grad_z,         cvae->grad_mu_z,          cvae->grad_log_variance_z,
        cvae->grad_encoder_h, cvae->nelbo,              cvae->weights,        cvae->labels,
    };
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        free(arrays[k]);
    *cvae = (Cvae){ 0 };
}

bool cvae_one_hot(double *Y, const unsigned char *labels, size_t B, size_t classes, Error *err)
{
    for (size_t i = 0; i < B; i++) {
        if (labels[i] >= classes)
            return error_set(err, "example %zu has the label %u, not a class 0 .. %zu", i, (unsigned)labels[i],
                             classes - 1);
        for (size_t c = 0; c < classes; c++)
            Y[i * classes + c] = c == labels[i] ? 1.0 : 0.0;
    }
    return true;
}

/* ---- the label at each network's input ------------------------------------------------------------ */

/* row i of AY = [a_i, y_i] */
void cvae_concatenate(double *AY, const double *A, const double *Y, size_t B, size_t n, size_t classes)
{
    /* BEGIN EXERCISE 7.1 */
    size_t width = n + classes;
    for (size_t i = 0; i < B; i++) {
        vector_copy(AY + i * width, A + i * n, n);
        vector_copy(AY + i * width + n, Y + i * classes, classes);
    }
    /* STUB
    (void)A;
    (void)Y;
    vector_zero(AY, B * (n + classes)); // zeros: a safe wrong answer
    END EXERCISE */
}

/* d[a, y]/da = [I, 0]: a's gradient is the first n columns; y's columns are dropped */
void cvae_concatenate_backward(double *grad_A, const double *grad_AY, size_t B, size_t n, size_t classes)
{
    /* BEGIN EXERCISE 7.1 */
    for (size_t i = 0; i < B; i++)
        vector_axpy(grad_A + i * n, 1.0, grad_AY + i * (n + classes), n);
    /* STUB
    (void)grad_A;
    (void)grad_AY;
    (void)B;
    (void)n;
    (void)classes;
    END EXERCISE */
}

/* h = ReLU(W_4^T [x, y] + b_4),  mu = W_5^T h + b_5,  log sigma^2 = W_6^T h + b_6 */
void cvae_encode(Cvae *cvae, const double *X, const double *Y, size_t B)
{
    /* BEGIN EXERCISE 7.2 */
    size_t d = cvae->shape.d;
    cvae_concatenate(cvae->encoder_input, X, Y, B, cvae->shape.p, cvae->shape.classes);
    const double *h = mlp_forward(&cvae->encoder_hidden, cvae->encoder_input, B);
    dense_forward(cvae->mu_z, &cvae->encoder_mu, h, B);
    dense_forward(cvae->log_variance_z, &cvae->encoder_log_variance, h, B);
    vae_clamp(cvae->log_variance_z, B * d, VAE_LOG_VARIANCE_MIN, VAE_LOG_VARIANCE_MAX);
    /* STUB
    (void)X;
    (void)Y;
    vector_zero(cvae->mu_z, B * cvae->shape.d); // zeros: a safe wrong answer
    vector_zero(cvae->log_variance_z, B * cvae->shape.d);
    END EXERCISE */
}

/* h = ReLU(W_1^T [z, y] + b_1),  s = W_2^T h + b_2 */
void cvae_decode(Cvae *cvae, const double *Z, const double *Y, size_t B)
{
    /* BEGIN EXERCISE 7.2 */
    cvae_concatenate(cvae->decoder_input, Z, Y, B, cvae->shape.d, cvae->shape.classes);
    const double *h = mlp_forward(&cvae->decoder_hidden, cvae->decoder_input, B);
    dense_forward(cvae->logits, &cvae->decoder_logits, h, B);
    /* STUB
    (void)Z;
    (void)Y;
    vector_zero(cvae->logits, B * cvae->shape.p); // zeros: a safe wrong answer
    END EXERCISE */
}

/* ---- the conditional ELBO and its gradient -------------------------------------------------------- */

/* nelbo_i = -log p(x_i | y_i, z_i) + KL(q(z | x_i, y_i) || p(z)),  z_i = mu(x_i, y_i) + sigma(x_i, y_i) (.) eps_i */
double cvae_forward(Cvae *cvae, double *nelbo, const double *X, const double *Y, const double *eps, size_t B)
{
    /* BEGIN EXERCISE 7.2 */
    size_t d = cvae->shape.d;
    cvae_encode(cvae, X, Y, B);
    vae_reparameterize(cvae->z, cvae->mu_z, cvae->log_variance_z, eps, B * d);
    cvae_decode(cvae, cvae->z, Y, B);
    vae_bernoulli_log_likelihood(cvae->log_likelihood, X, cvae->logits, B, cvae->shape.p);
    vae_kl(cvae->kl, cvae->mu_z, cvae->log_variance_z, B, d);
    for (size_t i = 0; i < B; i++)
        nelbo[i] = cvae->kl[i] - cvae->log_likelihood[i];
    return vector_sum(nelbo, B) / (double)B;
    /* STUB
    (void)cvae;
    (void)X;
    (void)Y;
    (void)eps;
    for (size_t i = 0; i < B; i++)
        nelbo[i] = NAN; // a safe wrong answer
    return NAN;
    END EXERCISE */
}

/* sum_i w_i nelbo_i, back through the chain of cvae_forward:
 *   d/ds = -w_i (x - sigmoid(s)) -> decoder head -> decoder hidden layer -> d/d[z, y] -> d/dz
 *   -> d/dmu_z = d/dz,  d/dlog sigma_z^2 = d/dz 1/2 sigma eps, plus the KL's w_i mu, w_i 1/2 (sigma^2 - 1)
 *   -> encoder heads, both adding into d/dh -> encoder hidden layer (the input [x, y] is data) */
void cvae_backward(Cvae *cvae, const double *X, const double *Y, const double *eps, const double *weights,
                   size_t B)
{
    /* BEGIN EXERCISE 7.3 */
    (void)Y; /* the label's gradient goes nowhere; its value is in the networks' inputs */
    size_t p = cvae->shape.p, d = cvae->shape.d, classes = cvae->shape.classes, hidden = cvae->shape.hidden;
    /* the decoder, from each example's -log p(x_i | y_i, z_i) down to dL/dz */
    vector_zero(cvae->grad_logits, B * p);
    for (size_t i = 0; i < B; i++)
        vae_bernoulli_log_likelihood_backward(cvae->grad_logits + i * p, X + i * p, cvae->logits + i * p,
                                              -weights[i], p);
    vector_zero(cvae->grad_decoder_h, B * hidden);
    dense_backward(cvae->grad_decoder_h, &cvae->decoder_logits, mlp_output(&cvae->decoder_hidden),
                   cvae->grad_logits, B);
    vector_zero(cvae->grad_decoder_input, B * (d + classes));
    mlp_backward(cvae->grad_decoder_input, &cvae->decoder_hidden, cvae->grad_decoder_h);
    vector_zero(cvae->grad_z, B * d);
    cvae_concatenate_backward(cvae->grad_z, cvae->grad_decoder_input, B, d, classes);
    /* z = mu + sigma (.) eps, and each example's KL on the same two heads */
    vector_zero(cvae->grad_mu_z, B * d);
    vector_zero(cvae->grad_log_variance_z, B * d);
    vae_reparameterize_backward(cvae->grad_mu_z, cvae->grad_log_variance_z, cvae->grad_z, cvae->log_variance_z,
                                eps, B * d);
    for (size_t i = 0; i < B; i++)
        vae_kl_backward(cvae->grad_mu_z + i * d, cvae->grad_log_variance_z + i * d, cvae->mu_z + i * d,
                        cvae->log_variance_z + i * d, weights[i], d);
    vae_clamp_backward(cvae->grad_log_variance_z, cvae->log_variance_z, B * d, VAE_LOG_VARIANCE_MIN,
                       VAE_LOG_VARIANCE_MAX);
    /* the encoder: both heads meet in the shared hidden layer; its input [x, y] is data */
    const double *encoder_h = mlp_output(&cvae->encoder_hidden);
    vector_zero(cvae->grad_encoder_h, B * hidden);
    dense_backward(cvae->grad_encoder_h, &cvae->encoder_mu, encoder_h, cvae->grad_mu_z, B);
    dense_backward(cvae->grad_encoder_h, &cvae->encoder_log_variance, encoder_h, cvae->grad_log_variance_z, B);
    mlp_backward(NULL, &cvae->encoder_hidden, cvae->grad_encoder_h);
    /* STUB
    (void)cvae;
    (void)X;
    (void)Y;
    (void)eps;
    (void)weights;
    (void)B;
    END EXERCISE */
}

/* eps ~ N(0, I); theta, phi <- optimiser(theta, phi, d/d(theta, phi) (1/B) sum_i nelbo_i) */
double cvae_train_step(Cvae *cvae, Optimizer *optimizer, const double *X, const double *Y, size_t B, Rng *rng)
{
    /* BEGIN EXERCISE 7.4 */
    rng_fill_normal(rng, cvae->eps, B * cvae->shape.d, 0.0, 1.0);
    for (size_t i = 0; i < B; i++)
        cvae->weights[i] = 1.0 / (double)B;
    parameters_zero_grad(&cvae->parameters);
    double mean = cvae_forward(cvae, cvae->nelbo, X, Y, cvae->eps, B);
    cvae_backward(cvae, X, Y, cvae->eps, cvae->weights, B);
    optimizer_step(optimizer);
    return mean;
    /* STUB
    (void)cvae;
    (void)optimizer;
    (void)X;
    (void)Y;
    (void)B;
    (void)rng;
    return NAN; // a safe wrong answer
    END EXERCISE */
}

/* ---- classification by generation ----------------------------------------------------------------- */

/* elbo_ic = (1/k) sum_s -nelbo(x_i, c; eps_s,i),  predicted_i = argmax_c elbo_ic */
void cvae_classify(Cvae *cvae, unsigned char *predicted, double *elbo, const double *X, const double *eps, size_t B,
                   size_t k)
{
    /* BEGIN EXERCISE 7.5 */
    size_t classes = cvae->shape.classes, d = cvae->shape.d;
    vector_zero(elbo, B * classes);
    for (size_t c = 0; c < classes; c++) {
        for (size_t i = 0; i < B; i++)
            for (size_t j = 0; j < classes; j++)
                cvae->labels[i * classes + j] = j == c ? 1.0 : 0.0;
        for (size_t s = 0; s < k; s++) {
            cvae_forward(cvae, cvae->nelbo, X, cvae->labels, eps + s * B * d, B);
            for (size_t i = 0; i < B; i++)
                elbo[i * classes + c] -= cvae->nelbo[i] / (double)k;
        }
    }
    for (size_t i = 0; i < B; i++) {
        size_t best = 0;
        for (size_t c = 1; c < classes; c++)
            if (elbo[i * classes + c] > elbo[i * classes + best])
                best = c;
        predicted[i] = (unsigned char)best;
    }
    /* STUB
    (void)cvae;
    (void)X;
    (void)eps;
    (void)k;
    for (size_t i = 0; i < B * cvae->shape.classes; i++)
        elbo[i] = NAN; // a safe wrong answer
    for (size_t i = 0; i < B; i++)
        predicted[i] = 0;
    END EXERCISE */
}

/* ---- the BatchFunctions of lib/train.h ------------------------------------------------------------ */

/* cvae->labels <- one-hot(labels); false for a label outside 0 .. classes - 1 */
static bool labels_one_hot(Cvae *cvae, const unsigned char *labels, size_t B)
{
    Error err;
    return cvae_one_hot(cvae->labels, labels, B, cvae->shape.classes, &err);
}

double cvae_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    CvaeTrainer *t = trainer;
    if (!labels_one_hot(t->cvae, labels, B))
        return NAN;
    return cvae_train_step(t->cvae, t->optimizer, X, t->cvae->labels, B, t->rng);
}

double cvae_evaluate_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    CvaeTrainer *t = trainer;
    if (!labels_one_hot(t->cvae, labels, B))
        return NAN;
    rng_fill_normal(t->rng, t->cvae->eps, B * t->cvae->shape.d, 0.0, 1.0);
    return cvae_forward(t->cvae, t->cvae->nelbo, X, t->cvae->labels, t->cvae->eps, B);
}
