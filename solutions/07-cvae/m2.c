/* solutions/07-cvae/m2.c — the semi-supervised M2 model (Wu L6; Kingma et al. 2014): the
 * classifier q(y | x), the expanded unlabelled loss, the labelled loss and the combined
 * objective with their gradients (see chapters/07-cvae/m2.h and README.md for the math). */
#include "m2.h"

#include <math.h>
#include <stdlib.h>

#include "exercise.h"
#include "matrix.h"
#include "numerics.h"

/* ---- the classifier q(y | x) ---------------------------------------------------------------- */

bool classifier_init(Classifier *classifier, size_t p, size_t hidden, size_t classes, Activation hidden_activation,
                     size_t max_batch, Rng *rng, Error *err)
{
    *classifier = (Classifier){ .p = p, .hidden = hidden, .classes = classes, .max_batch = max_batch };
    if (p == 0 || hidden == 0 || classes < 2)
        return error_set(err, "a classifier needs p and hidden of at least 1 and 2 classes (got %zu, %zu, %zu)", p,
                         hidden, classes);
    size_t sizes[3] = { p, hidden, classes };
    if (!mlp_init(&classifier->mlp, sizes, 3, hidden_activation, ACTIVATION_IDENTITY, max_batch, rng, err)
        || !(classifier->grad_logits = alloc_doubles(max_batch * classes, err))) {
        classifier_free(classifier);
        return false;
    }
    mlp_parameters(&classifier->mlp, &classifier->parameters, "c.h");
    return true;
}

void classifier_free(Classifier *classifier)
{
    mlp_free(&classifier->mlp);
    free(classifier->grad_logits);
    *classifier = (Classifier){ 0 };
}

const double *classifier_forward(Classifier *classifier, const double *X, size_t B)
{
    return mlp_forward(&classifier->mlp, X, B);
}

void classifier_backward(Classifier *classifier, const double *grad_logits, size_t B)
{
    (void)B; /* the Mlp kept the batch of its forward pass; B is the caller's promise */
    mlp_backward(NULL, &classifier->mlp, grad_logits);
}

void classifier_predict(unsigned char *predicted, const double *logits, size_t B, size_t classes)
{
    for (size_t i = 0; i < B; i++) {
        const double *a = logits + i * classes;
        size_t best = 0;
        for (size_t c = 1; c < classes; c++)
            if (a[c] > a[best])
                best = c;
        predicted[i] = (unsigned char)best;
    }
}

double classifier_accuracy(Classifier *classifier, const Dataset *data)
{
    size_t chunk = classifier->max_batch, correct = 0;
    unsigned char predicted[256];
    if (chunk > sizeof predicted)
        chunk = sizeof predicted;
    for (size_t start = 0; start < data->count; start += chunk) {
        size_t B = start + chunk <= data->count ? chunk : data->count - start;
        const double *logits = classifier_forward(classifier, data->images + start * data->dim, B);
        classifier_predict(predicted, logits, B, classifier->classes);
        for (size_t i = 0; i < B; i++)
            correct += predicted[i] == data->labels[start + i];
    }
    return data->count ? (double)correct / (double)data->count : NAN;
}

double classifier_train_step(Classifier *classifier, Optimizer *optimizer, const double *X,
                             const unsigned char *labels, size_t B)
{
    size_t classes = classifier->classes;
    double *grad_logits = classifier->grad_logits;
    parameters_zero_grad(&classifier->parameters);
    const double *logits = classifier_forward(classifier, X, B);
    double ce = m2_cross_entropy(NULL, logits, labels, B, classes);
    vector_zero(grad_logits, B * classes);
    m2_cross_entropy_backward(grad_logits, logits, labels, 1.0 / (double)B, B, classes);
    classifier_backward(classifier, grad_logits, B);
    optimizer_step(optimizer);
    return ce;
}

/* ---- the entropy of q(y | x) ------------------------------------------------------------------ */

/* H = -sum_c q_c log q_c with log q_c = a_c - log sum_c' exp(a_c') (lib's log_sum_exp):
 * finite even where q_c underflows to 0 (then q_c log q_c = 0 exactly, its limit). */
void m2_entropy(double *entropy, const double *logits, size_t B, size_t classes)
{
    /* BEGIN EXERCISE 7.6 */
    for (size_t i = 0; i < B; i++) {
        const double *a = logits + i * classes;
        double log_normalizer = log_sum_exp(a, classes), sum = 0.0;
        for (size_t c = 0; c < classes; c++) {
            double log_q = a[c] - log_normalizer;
            sum -= exp(log_q) * log_q;
        }
        entropy[i] = sum;
    }
    /* STUB
    (void)logits;
    (void)classes;
    for (size_t i = 0; i < B; i++)
        entropy[i] = NAN; // a safe wrong answer
    END EXERCISE */
}

/* dH/dq_c = -(log q_c + 1) and dq_c/da_k = q_c (delta_ck - q_k) give
 * dH/da_k = -q_k (log q_k + 1) + q_k sum_c q_c (log q_c + 1) = -q_k (log q_k + H). */
void m2_entropy_backward(double *grad_logits, const double *logits, double scale, size_t B, size_t classes)
{
    /* BEGIN EXERCISE 7.6 */
    for (size_t i = 0; i < B; i++) {
        const double *a = logits + i * classes;
        double log_normalizer = log_sum_exp(a, classes), entropy;
        m2_entropy(&entropy, a, 1, classes);
        for (size_t k = 0; k < classes; k++) {
            double log_q = a[k] - log_normalizer;
            grad_logits[i * classes + k] += scale * -exp(log_q) * (log_q + entropy);
        }
    }
    /* STUB
    (void)grad_logits;
    (void)logits;
    (void)scale;
    (void)B;
    (void)classes;
    END EXERCISE */
}

/* ---- the unlabelled loss: the expectation over y expanded ------------------------------------------- */

double m2_unlabelled_loss(double *U, const double *nelbo, const double *logits, size_t B, size_t classes)
{
    /* BEGIN EXERCISE 7.7 */
    double sum = 0.0;
    for (size_t i = 0; i < B; i++) {
        const double *a = logits + i * classes, *L = nelbo + i * classes;
        double log_normalizer = log_sum_exp(a, classes), expected = 0.0, entropy;
        for (size_t c = 0; c < classes; c++) /* every class, weighted by q: never a sampled y */
            expected += exp(a[c] - log_normalizer) * L[c];
        m2_entropy(&entropy, a, 1, classes);
        double u = expected - entropy;
        if (U)
            U[i] = u;
        sum += u;
    }
    return sum / (double)B;
    /* STUB
    (void)nelbo;
    (void)logits;
    (void)classes;
    for (size_t i = 0; U && i < B; i++)
        U[i] = NAN; // a safe wrong answer
    return NAN;
    END EXERCISE */
}

/* dU/dL_c = q_c; through the weights, d(sum_c q_c L_c)/da_k = sum_c L_c q_c (delta_ck - q_k)
 * = q_k (L_k - sum_c q_c L_c); through the entropy, -dH/da_k. */
void m2_unlabelled_backward(double *grad_nelbo, double *grad_logits, const double *nelbo, const double *logits,
                            double scale, size_t B, size_t classes)
{
    /* BEGIN EXERCISE 7.7 */
    for (size_t i = 0; i < B; i++) {
        const double *a = logits + i * classes, *L = nelbo + i * classes;
        double log_normalizer = log_sum_exp(a, classes), mean = 0.0; /* sum_c q_c L_c */
        for (size_t c = 0; c < classes; c++)
            mean += exp(a[c] - log_normalizer) * L[c];
        for (size_t k = 0; k < classes; k++) {
            double q = exp(a[k] - log_normalizer);
            grad_nelbo[i * classes + k] += scale * q;
            grad_logits[i * classes + k] += scale * q * (L[k] - mean);
        }
    }
    m2_entropy_backward(grad_logits, logits, -scale, B, classes);
    /* STUB
    (void)grad_nelbo;
    (void)grad_logits;
    (void)nelbo;
    (void)logits;
    (void)scale;
    (void)B;
    (void)classes;
    END EXERCISE */
}

/* ---- the labelled loss ------------------------------------------------------------------------------ */

/* CE = -log q_y = log sum_c exp(a_c) - a_y */
double m2_cross_entropy(double *ce, const double *logits, const unsigned char *labels, size_t B, size_t classes)
{
    /* BEGIN EXERCISE 7.8 */
    double sum = 0.0;
    for (size_t i = 0; i < B; i++) {
        const double *a = logits + i * classes;
        double value = log_sum_exp(a, classes) - a[labels[i]];
        if (ce)
            ce[i] = value;
        sum += value;
    }
    return sum / (double)B;
    /* STUB
    (void)logits;
    (void)labels;
    (void)classes;
    for (size_t i = 0; ce && i < B; i++)
        ce[i] = NAN; // a safe wrong answer
    return NAN;
    END EXERCISE */
}

/* dCE/da_k = q_k - [k = y] */
void m2_cross_entropy_backward(double *grad_logits, const double *logits, const unsigned char *labels, double scale,
                               size_t B, size_t classes)
{
    /* BEGIN EXERCISE 7.8 */
    for (size_t i = 0; i < B; i++) {
        const double *a = logits + i * classes;
        double log_normalizer = log_sum_exp(a, classes);
        for (size_t k = 0; k < classes; k++)
            grad_logits[i * classes + k] += scale * (exp(a[k] - log_normalizer) - (k == labels[i] ? 1.0 : 0.0));
    }
    /* STUB
    (void)grad_logits;
    (void)logits;
    (void)labels;
    (void)scale;
    (void)B;
    (void)classes;
    END EXERCISE */
}

double m2_labelled_loss(const double *nelbo, const double *logits, const unsigned char *labels, double alpha,
                        size_t B, size_t classes)
{
    /* BEGIN EXERCISE 7.8 */
    return vector_sum(nelbo, B) / (double)B + alpha * m2_cross_entropy(NULL, logits, labels, B, classes);
    /* STUB
    (void)nelbo;
    (void)logits;
    (void)labels;
    (void)alpha;
    (void)B;
    (void)classes;
    return NAN; // a safe wrong answer
    END EXERCISE */
}

void m2_labelled_backward(double *grad_nelbo, double *grad_logits, const double *logits,
                          const unsigned char *labels, double alpha, double scale, size_t B, size_t classes)
{
    /* BEGIN EXERCISE 7.8 */
    for (size_t i = 0; i < B; i++)
        grad_nelbo[i] += scale;
    m2_cross_entropy_backward(grad_logits, logits, labels, alpha * scale, B, classes);
    /* STUB
    (void)grad_nelbo;
    (void)grad_logits;
    (void)logits;
    (void)labels;
    (void)alpha;
    (void)scale;
    (void)B;
    (void)classes;
    END EXERCISE */
}

/* ---- the combined objective J = L^l + beta L^u ---------------------------------------------------------- */

double m2_objective(M2Loss *loss, const M2Batch *batch, double alpha, double beta)
{
    /* BEGIN EXERCISE 7.9 */
    size_t classes = batch->classes;
    M2Loss terms = {
        .labelled = m2_labelled_loss(batch->labelled_nelbo, batch->labelled_logits, batch->labels, alpha,
                                     batch->labelled, classes),
        .cross_entropy = m2_cross_entropy(NULL, batch->labelled_logits, batch->labels, batch->labelled, classes),
        .unlabelled = m2_unlabelled_loss(NULL, batch->unlabelled_nelbo, batch->unlabelled_logits, batch->unlabelled,
                                         classes),
    };
    if (loss)
        *loss = terms;
    return terms.labelled + beta * terms.unlabelled;
    /* STUB
    (void)batch;
    (void)alpha;
    (void)beta;
    if (loss)
        *loss = (M2Loss){ NAN, NAN, NAN };
    return NAN; // a safe wrong answer
    END EXERCISE */
}

void m2_objective_backward(const M2Gradients *grad, const M2Batch *batch, double alpha, double beta)
{
    /* BEGIN EXERCISE 7.9 */
    m2_labelled_backward(grad->labelled_nelbo, grad->labelled_logits, batch->labelled_logits, batch->labels, alpha,
                         1.0 / (double)batch->labelled, batch->labelled, batch->classes);
    m2_unlabelled_backward(grad->unlabelled_nelbo, grad->unlabelled_logits, batch->unlabelled_nelbo,
                           batch->unlabelled_logits, beta / (double)batch->unlabelled, batch->unlabelled,
                           batch->classes);
    /* STUB
    (void)grad;
    (void)batch;
    (void)alpha;
    (void)beta;
    END EXERCISE */
}

/* ---- the model, and its training step ---------------------------------------------------------------- */

size_t m2_rows(size_t labelled, size_t unlabelled, size_t classes) { return labelled + classes * unlabelled; }

static bool check_weights(double alpha, double beta, Error *err)
{
    if (!(alpha >= 0.0 && isfinite(alpha)))
        return error_set(err, "alpha, the weight of the labelled cross-entropy, must be finite and >= 0 (got %g)", alpha);
    if (!(beta >= 0.0 && isfinite(beta)))
        return error_set(err, "beta, the weight of the unlabelled loss, must be finite and >= 0 (got %g)", beta);
    return true;
}

/* The tensors of `from` (their value and gradient arrays, not copies) at the end of `to`. */
static void append_parameters(ParameterList *to, const ParameterList *from)
{
    for (size_t k = 0; k < from->count; k++)
        parameters_add(to, from->items[k].name, from->items[k].value, from->items[k].grad, from->items[k].size);
}

bool m2_init(M2 *m2, CvaeShape shape, size_t classifier_hidden, double alpha, double beta, size_t max_labelled,
             size_t max_unlabelled, Rng *rng, Error *err)
{
    *m2 = (M2){ .shape = shape, .classifier_hidden = classifier_hidden, .max_labelled = max_labelled,
                .max_unlabelled = max_unlabelled, .alpha = alpha, .beta = beta };
    if (!check_weights(alpha, beta, err) || !cvae_shape_check(shape, err))
        return false;
    if (max_labelled == 0 || max_unlabelled == 0)
        return error_set(err, "an M2 step needs room for at least one labelled and one unlabelled digit");
    size_t rows = m2_rows(max_labelled, max_unlabelled, shape.classes), digits = max_labelled + max_unlabelled;
    bool ok = cvae_init(&m2->cvae, shape, rows, rng, err)
              && classifier_init(&m2->classifier, shape.p, classifier_hidden, shape.classes, shape.hidden_activation,
                                 digits, rng, err)
              && (m2->X = alloc_doubles(rows * shape.p, err)) && (m2->Y = alloc_doubles(rows * shape.classes, err))
              && (m2->eps = alloc_doubles(rows * shape.d, err)) && (m2->nelbo = alloc_doubles(rows, err))
              && (m2->grad_nelbo = alloc_doubles(rows, err))
              && (m2->grad_logits = alloc_doubles(digits * shape.classes, err));
    if (!ok) {
        m2_free(m2);
        return false;
    }
    append_parameters(&m2->parameters, &m2->cvae.parameters);
    append_parameters(&m2->parameters, &m2->classifier.parameters);
    return true;
}

void m2_free(M2 *m2)
{
    cvae_free(&m2->cvae);
    classifier_free(&m2->classifier);
    free(m2->X);
    free(m2->Y);
    free(m2->eps);
    free(m2->nelbo);
    free(m2->grad_nelbo);
    free(m2->grad_logits);
    *m2 = (M2){ 0 };
}

void m2_expand(double *X_rows, double *Y_rows, const double *X, const unsigned char *labels, size_t B_l, size_t B_u,
               size_t p, size_t classes)
{
    /* BEGIN EXERCISE 7.10 */
    for (size_t r = 0; r < m2_rows(B_l, B_u, classes); r++) {
        /* a labelled digit with its label; then each unlabelled digit with every class c in
         * turn: the expectation over y, written out */
        bool labelled = r < B_l;
        size_t digit = labelled ? r : B_l + (r - B_l) / classes;
        size_t label = labelled ? labels[r] : (r - B_l) % classes;
        vector_copy(X_rows + r * p, X + digit * p, p);
        for (size_t c = 0; c < classes; c++)
            Y_rows[r * classes + c] = c == label ? 1.0 : 0.0;
    }
    /* STUB
    (void)X;
    (void)labels;
    vector_zero(X_rows, m2_rows(B_l, B_u, classes) * p);
    vector_zero(Y_rows, m2_rows(B_l, B_u, classes) * classes);
    END EXERCISE */
}

double m2_train_step(M2 *m2, Optimizer *optimizer, M2Loss *loss, const double *X, const unsigned char *labels,
                     size_t B_l, size_t B_u, Rng *rng)
{
    /* BEGIN EXERCISE 7.10 */
    size_t classes = m2->shape.classes, rows = m2_rows(B_l, B_u, classes);
    m2_expand(m2->X, m2->Y, X, labels, B_l, B_u, m2->shape.p, classes);
    rng_fill_normal(rng, m2->eps, rows * m2->shape.d, 0.0, 1.0);
    parameters_zero_grad(&m2->parameters);
    const double *logits = classifier_forward(&m2->classifier, X, B_l + B_u);
    cvae_forward(&m2->cvae, m2->nelbo, m2->X, m2->Y, m2->eps, rows);
    M2Batch batch = { m2->nelbo, logits, labels, m2->nelbo + B_l, logits + B_l * classes, B_l, B_u, classes };
    double J = m2_objective(loss, &batch, m2->alpha, m2->beta);
    vector_zero(m2->grad_nelbo, rows);
    vector_zero(m2->grad_logits, (B_l + B_u) * classes);
    M2Gradients grad = { m2->grad_nelbo, m2->grad_logits, m2->grad_nelbo + B_l, m2->grad_logits + B_l * classes };
    m2_objective_backward(&grad, &batch, m2->alpha, m2->beta);
    cvae_backward(&m2->cvae, m2->X, m2->Y, m2->eps, m2->grad_nelbo, rows);
    classifier_backward(&m2->classifier, m2->grad_logits, B_l + B_u);
    optimizer_step(optimizer);
    return J;
    /* STUB
    (void)m2;
    (void)optimizer;
    (void)X;
    (void)labels;
    (void)B_l;
    (void)B_u;
    (void)rng;
    if (loss)
        *loss = (M2Loss){ NAN, NAN, NAN };
    return NAN; // a safe wrong answer
    END EXERCISE */
}

/* ---- the labelled subset -------------------------------------------------------------------------- */

static bool check_subset_request(const unsigned char *labels, size_t N, size_t classes, size_t per_class,
                                 size_t *count, Error *err)
{
    if (per_class == 0)
        return error_set(err, "0 labelled digits per class: M2 needs at least one label of each class");
    for (size_t n = 0; n < N; n++) {
        if (labels[n] >= classes)
            return error_set(err, "digit %zu has label %u, outside 0..%zu", n, (unsigned)labels[n], classes - 1);
        count[labels[n]]++;
    }
    for (size_t c = 0; c < classes; c++)
        if (count[c] < per_class)
            return error_set(err, "%zu labelled digits per class asked for, but class %zu has only %zu of the %zu digits",
                             per_class, c, count[c], N);
    if (classes * per_class >= N)
        return error_set(err, "%zu labelled digits per class would label all %zu digits: none is left unlabelled",
                         per_class, N);
    return true;
}

bool m2_label_subset(size_t *labelled, size_t *unlabelled, const unsigned char *labels, size_t N, size_t classes,
                     size_t per_class, Rng *rng, Error *err)
{
    size_t *count = checked_calloc(classes, sizeof *count, err), *order = checked_calloc(N, sizeof *order, err);
    bool *chosen = checked_calloc(N, sizeof *chosen, err);
    bool ok = count && order && chosen && check_subset_request(labels, N, classes, per_class, count, err);
    if (ok) {
        /* A uniform permutation, read in order: the first per_class digits of each class
         * are a uniform choice of per_class among that class's digits. */
        for (size_t n = 0; n < N; n++)
            order[n] = n;
        rng_shuffle(rng, order, N);
        for (size_t c = 0; c < classes; c++)
            count[c] = 0;
        for (size_t k = 0; k < N; k++) {
            size_t n = order[k], c = labels[n];
            if (count[c] < per_class) {
                labelled[c * per_class + count[c]++] = n;
                chosen[n] = true;
            }
        }
        size_t u = 0;
        for (size_t n = 0; n < N; n++)
            if (!chosen[n])
                unlabelled[u++] = n;
    }
    free(count);
    free(order);
    free(chosen);
    return ok;
}
