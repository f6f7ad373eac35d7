/* chapters/07-cvae/cvae.h — the conditional VAE (Wu L6, "Conditioned VAE"; Kingma,
 * Rezende, Mohamed & Welling 2014; Sohn, Lee & Yan 2015).
 *
 * The data come with labels, D = {(x^(i), y^(i))}, and both networks of chapter 6's VAE
 * are given the label (Wu L6):
 *
 *     encoder  q(z | x, y; phi) = N(z; mu(x, y), sigma^2(x, y) I)
 *     decoder  p(x | y, z; theta) = prod_j Bernoulli(x_j; sigmoid(s_j(y, z)))
 *     prior    p(z) = N(0, I), independent of y
 *
 * so the ELBO becomes a bound on log p(x | y), one per label:
 *
 *     ELBO(x, y) = E_{q(z|x,y)} [log p(x | y, z)] - KL(q(z | x, y) || p(z)) <= log p(x | y).
 *
 * y is one-hot, y in {0, 1}^classes, and enters each network by concatenation: the
 * encoder's hidden layer reads [x, y] (p + classes numbers), the decoder's [z, y]
 * (d + classes). Since W^T [x, y] = W_x^T x + W_y^T y, the label adds a learned bias
 * per class to the first layer: row c of W_y. Conditioned generation then fixes z and
 * varies y: one "style" written as every digit.
 *
 * The pieces that are chapter 6's (chapters/07-cvae/builds-on names 06-vae) are called,
 * not copied: vae_reparameterize(_backward), vae_kl(_backward),
 * vae_bernoulli_log_likelihood(_backward), vae_clamp(_backward).
 *
 * Unlike chapter 6's vae_forward, which returns the batch mean, cvae_forward returns each
 * example's negative ELBO, and cvae_backward takes a weight per example: the gradient of
 * sum_i w_i nelbo_i. Weights 1/B give the gradient of the mean; the M2 model of this
 * chapter (m2.h) weighs each class's pass by q(y = c | x_i) / B.
 *
 * Conventions (docs/design.md): row i of a batch is example i; shapes in comments;
 * backward passes accumulate (+=).
 */
#ifndef VAELAB_CVAE_H
#define VAELAB_CVAE_H

#include <stdbool.h>
#include <stddef.h>

#include "dataset.h"
#include "error.h"
#include "layers.h"
#include "mlp.h"
#include "optimizer.h"
#include "parameters.h"
#include "rng.h"
#include "train.h"
#include "vae.h"

typedef struct CvaeShape {
    size_t p;                     /* data dimension (784) */
    size_t classes;               /* number of labels y can take (10); y is one-hot, (classes) */
    size_t hidden;                /* width of each network's hidden layer */
    size_t d;                     /* latent dimension */
    Activation hidden_activation; /* ReLU as on Louppe L11's slide; tanh keeps gradient checks smooth */
} CvaeShape;                      /* decoder: Bernoulli on logits (chapter 6's 6.5) */

typedef struct Cvae {
    CvaeShape shape;
    size_t max_batch;
    /* q(z | x, y; phi) */
    Mlp encoder_hidden;         /* h = ReLU(W_4^T [x, y] + b_4), one layer p + classes -> hidden */
    Dense encoder_mu;           /* mu = W_5^T h + b_5 */
    Dense encoder_log_variance; /* log sigma^2 = W_6^T h + b_6, clamped to [-30, 30] */
    /* p(x | y, z; theta) */
    Mlp decoder_hidden;         /* h = ReLU(W_1^T [z, y] + b_1), one layer d + classes -> hidden */
    Dense decoder_logits;       /* s = W_2^T h + b_2, p(x_j = 1 | y, z) = sigmoid(s_j) */
    /* what the last forward pass computed, (max_batch, .) each */
    double *encoder_input;         /* (., p + classes) [x, y] */
    double *decoder_input;         /* (., d + classes) [z, y] */
    double *mu_z, *log_variance_z; /* (., d) the encoder's heads, log sigma^2 clamped */
    double *z;                     /* (., d) z = mu + sigma (.) eps */
    double *logits;                /* (., p) the decoder's s */
    double *log_likelihood;        /* (.) log p(x_i | y_i, z_i) */
    double *kl;                    /* (.) KL(q(z | x_i, y_i) || p(z)) */
    double *eps;                   /* (., d) where cvae_train_step draws the noise */
    /* scratch of the backward pass: dL/d(each of the above) */
    double *grad_logits, *grad_decoder_h, *grad_decoder_input, *grad_z;
    double *grad_mu_z, *grad_log_variance_z, *grad_encoder_h;
    /* scratch of the training step and of classification */
    double *nelbo;   /* (.) each example's negative ELBO */
    double *weights; /* (.) the weights 1/B of the mean */
    double *labels;  /* (., classes) one-hot rows */
    ParameterList parameters; /* q's tensors (q.h1, q.mu, q.logvar), then p's (p.h1, p.logits) */
} Cvae;

/* A valid shape: p, classes, hidden, d >= 1. */
bool cvae_shape_check(CvaeShape shape, Error *err);
/* Build the networks with random weights (lib's initialisation); max_batch bounds B. */
bool cvae_init(Cvae *cvae, CvaeShape shape, size_t max_batch, Rng *rng, Error *err);
void cvae_free(Cvae *cvae);

/* Y[i] = the one-hot row of labels[i]: Y[i][c] = 1 if c = labels[i], else 0. A label
 * outside 0 .. classes - 1 is refused, naming the example (the data's labels are checked
 * where they are used, not only by the IDX reader).    Y (B, classes), labels (B) */
bool cvae_one_hot(double *Y, const unsigned char *labels, size_t B, size_t classes, Error *err);

/* ---- the label at each network's input ------------------------------------------------------ */

/* Exercise 7.1.  Row i of AY is [a_i, y_i]: the n numbers of a_i, then the classes of y_i.
 *                                      AY (B, n + classes), A (B, n), Y (B, classes) */
void cvae_concatenate(double *AY, const double *A, const double *Y, size_t B, size_t n, size_t classes);
/* Exercise 7.1.  Its backward: grad_A += the first n columns of grad_AY. The label's columns
 * n .. n + classes - 1 (counted from 0) are dropped: y is data, not a function of any parameter, so its
 * gradient goes nowhere (and must not be added to a's).
 *                                      grad_A (B, n), grad_AY (B, n + classes) */
void cvae_concatenate_backward(double *grad_A, const double *grad_AY, size_t B, size_t n, size_t classes);

/* Exercise 7.2 (with cvae_forward).  The encoder on [x, y]: h = ReLU(W_4^T [x, y] + b_4),
 *     mu_z = W_5^T h + b_5,   log sigma_z^2 = clamp(W_6^T h + b_6, -30, 30)
 * into cvae->mu_z and cvae->log_variance_z.       X (B, p), Y (B, classes) */
void cvae_encode(Cvae *cvae, const double *X, const double *Y, size_t B);
/* Exercise 7.2 (with cvae_forward).  The decoder on [z, y]: h = ReLU(W_1^T [z, y] + b_1),  s = W_2^T h + b_2
 * into cvae->logits. Z may be cvae->z.            Z (B, d), Y (B, classes) */
void cvae_decode(Cvae *cvae, const double *Z, const double *Y, size_t B);

/* ---- the conditional ELBO and its gradient ------------------------------------------------------- */

/* Exercise 7.2.  The negative conditional ELBO of each row, with labels Y (B, classes), one-hot rows:
 *   nelbo_i = -log p(x_i | y_i, z_i) + KL(q(z | x_i, y_i) || p(z)),  z_i = mu(x_i, y_i) + sigma(x_i, y_i) (.) eps_i
 * (one sample z: an unbiased estimate of -E_q[log p(x | y, z)] + KL) into nelbo (B);
 * returns the mean over the batch. Keeps what cvae_backward needs.
 *                  nelbo (B), X (B, p), Y (B, classes), eps (B, d) */
double cvae_forward(Cvae *cvae, double *nelbo, const double *X, const double *Y, const double *eps, size_t B);

/* Exercise 7.3.  Accumulate sum_i weights_i * d nelbo_i / d(every parameter) for the last
 * cvae_forward (same X, Y, eps). weights (B): 1/B each gives the gradient of the mean; M2
 * passes q(y = c | x_i) / B for class c's pass. */
void cvae_backward(Cvae *cvae, const double *X, const double *Y, const double *eps, const double *weights,
                   size_t B);

/* Exercise 7.4.  One optimiser step on the mean negative ELBO of (X, Y): draw eps ~ N(0, I)
 * (B, d) from rng into cvae->eps, zero the gradients, forward, backward with weights 1/B,
 * step; returns the mean NELBO before the update.      X (B, p), Y (B, classes) */
double cvae_train_step(Cvae *cvae, Optimizer *optimizer, const double *X, const double *Y, size_t B, Rng *rng);

/* ---- classification by generation ----------------------------------------------------------------- */

/* Exercise 7.5.  Classify each row of X by the label under which the model explains it best:
 *     elbo_ic = (1/k) sum_{s=1..k} ELBO(x_i, c; eps_s,i)  ~  ELBO(x_i, c) <= log p(x_i | y = c),
 *     predicted_i = argmax_c elbo_ic        (p(y) uniform: the argmax of log p(y = c | x) too)
 * for every class c, with the same noise eps_s (row s of eps is the (B, d) noise of draw s)
 * for every class. Ties go to the smaller c.
 *                  predicted (B), elbo (B, classes), X (B, p), eps (k, B, d) */
void cvae_classify(Cvae *cvae, unsigned char *predicted, double *elbo, const double *X, const double *eps, size_t B,
                   size_t k);

/* ---- training with lib/train.h -------------------------------------------------------------------- */

/* The BatchFunctions of run_epoch for a CVAE: the labels of the batch are made one-hot
 * (cvae_one_hot) into cvae->labels; a label outside 0 .. classes - 1 is a NaN loss, which
 * stops the epoch (check the data's labels first with cvae_one_hot for a better message). */
typedef struct CvaeTrainer {
    Cvae *cvae;
    Optimizer *optimizer; /* used by cvae_train_batch only */
    Rng *rng;             /* draws eps */
} CvaeTrainer;

/* cvae_train_step on (X, labels); returns the mean NELBO before the step. */
double cvae_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);
/* cvae_forward on (X, labels) with fresh eps (one-sample ELBO), parameters unchanged. */
double cvae_evaluate_batch(void *trainer, const double *X, const unsigned char *labels, size_t B);

#endif
