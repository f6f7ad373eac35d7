/* chapters/07-cvae/m2.h — semi-supervised learning with the M2 model (Wu L6, "Conditioned
 * VAE: semi-supervised learning"; Kingma, Rezende, Mohamed & Welling, "Semi-supervised
 * Learning with Deep Generative Models", 2014; README section 8).
 *
 * A few digits come with their label y (the labelled set D_l), most without (D_u). M2 is
 * the conditional VAE of this chapter, p(x | y, z) and q(z | x, y), with one more network,
 * a classifier q(y | x) = softmax(a(x)) on its logits a (Wu L6's encoder q(z, y | x),
 * factored as in M2: q(z | x, y) q(y | x)). With L(x, y) the negative conditional ELBO of a digit with label y (the
 * CVAE's nelbo), its losses are
 *
 *   labelled digit   L(x, y) + alpha CE(q(y | x), y),    CE = -log q(y | x),
 *   unlabelled digit U(x) = sum_c q(c | x) L(x, c) - H(q(y | x)),
 *                    H(q) = -sum_c q(c | x) log q(c | x),
 *
 * the unlabelled one with the expectation over y "expanded" (Wu L6): an exact sum over the
 * classes, never a sampled y. (-H is the slide's KL(q(y | x) || p(y)) for a uniform p(y),
 * less log(classes): the same gradients.) Its gradient reaches the classifier twice: through the
 * weights q(c | x) of the sum and through the entropy. The combined objective of a step,
 * with B_l labelled and B_u unlabelled digits (Wu L6: J = L^l + beta L^u), is
 *
 *   J = (1/B_l) sum_l [L(x, y) + alpha CE] + beta (1/B_u) sum_u U(x).
 *
 * Shapes: `classes` is the number of labels (10), `logits` (B, classes) holds a(x_i) in
 * row i, `nelbo` (B, classes) holds L(x_i, c) in row i, column c. Backward passes
 * accumulate (+=), each scaled by the `scale` the caller passes (the 1/B and beta of J).
 */
#ifndef VAELAB_M2_H
#define VAELAB_M2_H

#include <stdbool.h>
#include <stddef.h>

#include "cvae.h"
#include "dataset.h"
#include "error.h"
#include "layers.h"
#include "mlp.h"
#include "optimizer.h"
#include "parameters.h"
#include "rng.h"

/* ---- the classifier q(y | x) ------------------------------------------------------------- */

/* q(y | x) = softmax(a(x)), a(x) = W_2^T h + b_2, h = ReLU(W_1^T x + b_1): one hidden layer,
 * the logits a as its output (the softmax is applied where a loss needs it, lib/numerics.h). */
typedef struct Classifier {
    size_t p, hidden, classes, max_batch;
    Mlp mlp;                  /* p -> hidden -> classes, identity output: the logits */
    double *grad_logits;      /* (max_batch, classes) scratch of classifier_train_step */
    ParameterList parameters; /* "c.h1.W", "c.h1.b", "c.h2.W", "c.h2.b" */
} Classifier;

bool classifier_init(Classifier *classifier, size_t p, size_t hidden, size_t classes, Activation hidden_activation,
                     size_t max_batch, Rng *rng, Error *err);
void classifier_free(Classifier *classifier);
/* The logits a(x_i) of a batch X (B, p), (B, classes), valid until the next forward. */
const double *classifier_forward(Classifier *classifier, const double *X, size_t B);
/* Accumulate the parameters' gradients from dJ/da (B, classes) of the last forward. */
void classifier_backward(Classifier *classifier, const double *grad_logits, size_t B);
/* argmax_c a_c of each row: the class q(y | x) finds most likely.  predicted (B), logits (B, classes) */
void classifier_predict(unsigned char *predicted, const double *logits, size_t B, size_t classes);
/* The fraction of `data`'s digits whose predicted class is their label. */
double classifier_accuracy(Classifier *classifier, const Dataset *data);
/* The supervised baseline's step: one optimiser step on the mean cross-entropy of the
 * batch X (B, p) with its labels (B) (exercise 7.8's CE); returns the mean CE before it. */
double classifier_train_step(Classifier *classifier, Optimizer *optimizer, const double *X,
                             const unsigned char *labels, size_t B);

/* ---- the M2 losses, as functions of arrays ------------------------------------------------- */

/* Exercise 7.6.  The entropy of q(y | x_i) = softmax(a_i) for each row of logits:
 *     H_i = -sum_c q_ic log q_ic                        entropy (B), logits (B, classes) */
void m2_entropy(double *entropy, const double *logits, size_t B, size_t classes);
/* Exercise 7.6.  Accumulate scale times the gradient of sum_i H_i in the logits:
 *     dH_i/da_ik = -q_ik (log q_ik + H_i)               grad_logits, logits (B, classes) */
void m2_entropy_backward(double *grad_logits, const double *logits, double scale, size_t B, size_t classes);

/* Exercise 7.7.  The unlabelled loss of each digit, the expectation over y expanded:
 *     U_i = sum_c q_ic L_ic - H_i,    q_i = softmax(a_i)
 * into U (B) unless U is NULL; returns (1/B) sum_i U_i.   nelbo, logits (B, classes) */
double m2_unlabelled_loss(double *U, const double *nelbo, const double *logits, size_t B, size_t classes);
/* Exercise 7.7.  Accumulate scale times the gradients of sum_i U_i:
 *   grad_nelbo  += scale q_ic                          (dU_i/dL_ic: the weight of ELBO (i, c))
 *   grad_logits += scale [q_ik (L_ik - sum_c q_ic L_ic) - dH_i/da_ik]     (through q, and H)
 *                                   grad_nelbo, grad_logits, nelbo, logits (B, classes) */
void m2_unlabelled_backward(double *grad_nelbo, double *grad_logits, const double *nelbo, const double *logits,
                            double scale, size_t B, size_t classes);

/* Exercise 7.8.  The cross-entropy of each labelled digit, CE_i = -log q(y_i | x_i)
 * = -log_softmax(a_i)[y_i], into ce (B) unless NULL; returns (1/B) sum_i CE_i.
 *                                        ce (B), logits (B, classes), labels (B) < classes */
double m2_cross_entropy(double *ce, const double *logits, const unsigned char *labels, size_t B, size_t classes);
/* Exercise 7.8.  Accumulate scale times its gradient:  grad_logits += scale (q_i - onehot(y_i)). */
void m2_cross_entropy_backward(double *grad_logits, const double *logits, const unsigned char *labels, double scale,
                               size_t B, size_t classes);
/* Exercise 7.8.  The labelled loss of each digit, nelbo_i + alpha CE_i, where nelbo_i =
 * L(x_i, y_i) is the ELBO with the digit's own label; returns (1/B) sum_i of it.
 *                                   nelbo (B), logits (B, classes), labels (B) */
double m2_labelled_loss(const double *nelbo, const double *logits, const unsigned char *labels, double alpha,
                        size_t B, size_t classes);
/* Exercise 7.8.  Accumulate scale times the gradients of sum_i [nelbo_i + alpha CE_i]:
 *   grad_nelbo += scale (each row),   grad_logits += scale alpha (q_i - onehot(y_i)). */
void m2_labelled_backward(double *grad_nelbo, double *grad_logits, const double *logits,
                          const unsigned char *labels, double alpha, double scale, size_t B, size_t classes);

/* The terms of J for one step, each a mean over its digits. */
typedef struct M2Loss {
    double labelled;      /* (1/B_l) sum_l [L(x, y) + alpha CE]             (nats per digit) */
    double cross_entropy; /* (1/B_l) sum_l CE: of the labelled part, what q(y | x) gets wrong */
    double unlabelled;    /* (1/B_u) sum_u U(x)                              (nats per digit) */
} M2Loss;

/* Where a step's arrays are: the labelled digits' ELBOs and logits, then the unlabelled
 * digits' (one ELBO per digit and class). */
typedef struct M2Batch {
    const double *labelled_nelbo;    /* (B_l) L(x_i, y_i) */
    const double *labelled_logits;   /* (B_l, classes) */
    const unsigned char *labels;     /* (B_l) */
    const double *unlabelled_nelbo;  /* (B_u, classes) L(x_i, c) */
    const double *unlabelled_logits; /* (B_u, classes) */
    size_t labelled, unlabelled, classes; /* B_l >= 1, B_u >= 1, classes */
} M2Batch;

/* The gradients of J, in the layout of M2Batch: dJ/d(each array), accumulated. */
typedef struct M2Gradients {
    double *labelled_nelbo, *labelled_logits, *unlabelled_nelbo, *unlabelled_logits;
} M2Gradients;

/* Exercise 7.9.  The combined objective (Wu L6, J = L^l + beta L^u)
 *     J = (1/B_l) sum_l [L(x, y) + alpha CE] + beta (1/B_u) sum_u U(x);
 * fills *loss (may be NULL) and returns J. */
double m2_objective(M2Loss *loss, const M2Batch *batch, double alpha, double beta);
/* Exercise 7.9.  Accumulate dJ/d(each array of the batch) into `grad`. */
void m2_objective_backward(const M2Gradients *grad, const M2Batch *batch, double alpha, double beta);

/* ---- the model, and its training step ------------------------------------------------------------ */

/* M2: the conditional VAE of cvae.h and a classifier q(y | x), trained together on J.
 *
 * A step takes B_l labelled and B_u unlabelled digits and expands them into the rows
 * (x, y) the CVAE sees, the expectation over y of each unlabelled digit written out:
 *
 *     rows 0 .. B_l - 1               (x_i, y_i)            a labelled digit with its label
 *     row  B_l + u classes + c        (x_(B_l + u), c)      unlabelled digit u with label c
 *
 * so one cvae_forward gives every ELBO of J (B_l + classes B_u of them), laid out as
 * M2Batch wants them (nelbo + B_l is the (B_u, classes) table L(x_u, c)), and one
 * cvae_backward with the weights dJ/dL of m2_objective_backward (1/B_l for a labelled row,
 * beta q(c | x_u) / B_u for row (u, c)) gives the ELBOs' share of the gradient. */
typedef struct M2 {
    CvaeShape shape;           /* the CVAE's; shape.classes is the classifier's too */
    size_t classifier_hidden;  /* the classifier's hidden units */
    size_t max_labelled, max_unlabelled; /* bounds on B_l and B_u */
    double alpha, beta;        /* J's weights: alpha on the labelled CE, beta on the unlabelled part */
    Cvae cvae;                 /* q(z | x, y) and p(x | y, z), on up to max_labelled + classes max_unlabelled rows */
    Classifier classifier;     /* q(y | x), on up to max_labelled + max_unlabelled digits */
    /* the last step's rows (see above), and dJ/d(each) */
    double *X, *Y, *eps;       /* (rows, p), (rows, classes), (rows, d): the noise of each row's z */
    double *nelbo, *grad_nelbo; /* (rows) L(x, y) of each row, and dJ/dL */
    double *grad_logits;       /* (B_l + B_u, classes) dJ/da */
    ParameterList parameters;  /* the CVAE's (q.*, p.*), then the classifier's (c.*) */
} M2;

/* The number of CVAE rows of a step: B_l + classes B_u. */
size_t m2_rows(size_t labelled, size_t unlabelled, size_t classes);

/* Build both networks (the CVAE's shape, a classifier p -> classifier_hidden -> classes
 * with the same hidden activation). Errors: a bad shape, alpha or beta negative or not
 * finite, max_labelled or max_unlabelled 0. */
bool m2_init(M2 *m2, CvaeShape shape, size_t classifier_hidden, double alpha, double beta, size_t max_labelled,
             size_t max_unlabelled, Rng *rng, Error *err);
void m2_free(M2 *m2);

/* Exercise 7.10.  The rows of a step, in the order above: X_rows (rows, p) the digits,
 * Y_rows (rows, classes) one-hot labels; X (B_l + B_u, p) holds the labelled digits, then
 * the unlabelled ones; labels (B_l) < classes those of the labelled digits. */
void m2_expand(double *X_rows, double *Y_rows, const double *X, const unsigned char *labels, size_t B_l, size_t B_u,
               size_t p, size_t classes);

/* Exercise 7.10.  One optimiser step on J for the digits X (B_l + B_u, p), the first B_l
 * labelled with labels (B_l): m2_expand into m2->X, m2->Y; draw eps ~ N(0, I) (rows, d)
 * from rng into m2->eps; zero the gradients; the classifier's logits of all B_l + B_u
 * digits; cvae_forward of every row into m2->nelbo; m2_objective; its backward into
 * m2->grad_nelbo and m2->grad_logits (zeroed first); cvae_backward with the weights
 * m2->grad_nelbo; classifier_backward; step. Returns J before the update, and its terms
 * in *loss (may be NULL). 1 <= B_l <= max_labelled, 1 <= B_u <= max_unlabelled. */
double m2_train_step(M2 *m2, Optimizer *optimizer, M2Loss *loss, const double *X, const unsigned char *labels,
                     size_t B_l, size_t B_u, Rng *rng);

/* ---- the labelled subset -------------------------------------------------------------------- */

/* Keep the labels of per_class digits of each class 0..classes-1, chosen uniformly with
 * rng from the N digits' labels, and hide the rest:
 *     labelled (classes * per_class) the chosen digits' indices, class by class;
 *     unlabelled (N - classes * per_class) every other index, in increasing order.
 * Errors: per_class = 0 (no labels), a label outside 0..classes-1 (naming the digit),
 * a class with fewer than per_class digits (naming it and its count), or no digit left
 * unlabelled. */
bool m2_label_subset(size_t *labelled, size_t *unlabelled, const unsigned char *labels, size_t N, size_t classes,
                     size_t per_class, Rng *rng, Error *err);

#endif
