/* lib/optimizer.c — see optimizer.h. */
#include "optimizer.h"

#include <math.h>
#include <stdlib.h>

#include "kernels.h"

static bool allocate_state(Optimizer *opt, bool needs_second, Error *err)
{
    for (size_t k = 0; k < opt->parameters.count; k++) {
        size_t size = opt->parameters.items[k].size;
        opt->first[k] = alloc_doubles(size, err);
        if (!opt->first[k])
            goto fail;
        if (needs_second && !(opt->second[k] = alloc_doubles(size, err)))
            goto fail;
    }
    return true;
fail:
    optimizer_free(opt);
    return false;
}

bool optimizer_init_sgd(Optimizer *opt, const ParameterList *parameters, double learning_rate,
                        double momentum, Error *err)
{
    *opt = (Optimizer){ .kind = OPTIMIZER_SGD, .parameters = *parameters,
                        .learning_rate = learning_rate, .momentum = momentum };
    return allocate_state(opt, false, err);
}

bool optimizer_init_adam(Optimizer *opt, const ParameterList *parameters, double learning_rate,
                         Error *err)
{
    *opt = (Optimizer){ .kind = OPTIMIZER_ADAM, .parameters = *parameters,
                        .learning_rate = learning_rate, .beta1 = 0.9, .beta2 = 0.999,
                        .epsilon = 1e-8 };
    return allocate_state(opt, true, err);
}

static void sgd_update(const Optimizer *opt, const Parameter *p, double *velocity)
{
    for (size_t i = 0; i < p->size; i++) {
        velocity[i] = opt->momentum * velocity[i] - opt->learning_rate * p->grad[i];
        p->value[i] += velocity[i];
    }
}

/* Adam's textbook loop, the definition (optimizer.h). */
static void adam_update_textbook(const Optimizer *opt, const Parameter *p, double *m, double *v)
{
    double t = (double)opt->step_count;
    double m_correction = 1.0 - pow(opt->beta1, t); /* 1 - beta1^t */
    double v_correction = 1.0 - pow(opt->beta2, t);
    for (size_t i = 0; i < p->size; i++) {
        double g = p->grad[i];
        m[i] = opt->beta1 * m[i] + (1.0 - opt->beta1) * g;
        v[i] = opt->beta2 * v[i] + (1.0 - opt->beta2) * g * g;
        double m_hat = m[i] / m_correction;
        double v_hat = v[i] / v_correction;
        p->value[i] -= opt->learning_rate * m_hat / (sqrt(v_hat) + opt->epsilon);
    }
}

/* The same arithmetic, operation for operation, with the four arrays declared distinct
 * (restrict) and the constants read once, so that the compiler processes several
 * elements per instruction; -fno-math-errno lets sqrt be one instruction.  The divisions
 * stay divisions: multiplying by 1 / m_correction would round differently. */
typedef struct AdamConstants {
    double beta1, one_minus_beta1, beta2, one_minus_beta2;
    double m_correction, v_correction, learning_rate, epsilon;
} AdamConstants;

KERNEL_BODY void adam_update_fast(const AdamConstants *c, size_t size, double *restrict value,
                                  const double *restrict grad, double *restrict m, double *restrict v)
{
    const AdamConstants k = *c;
    for (size_t i = 0; i < size; i++) {
        double g = grad[i];
        m[i] = k.beta1 * m[i] + k.one_minus_beta1 * g;
        v[i] = k.beta2 * v[i] + k.one_minus_beta2 * g * g;
        double m_hat = m[i] / k.m_correction;
        double v_hat = v[i] / k.v_correction;
        value[i] -= k.learning_rate * m_hat / (sqrt(v_hat) + k.epsilon);
    }
}

static void adam_update_portable(const AdamConstants *c, size_t size, double *restrict value,
                                 const double *restrict grad, double *restrict m, double *restrict v)
{
    adam_update_fast(c, size, value, grad, m, v);
}

KERNEL_AVX2 static void adam_update_avx2(const AdamConstants *c, size_t size, double *restrict value,
                                         const double *restrict grad, double *restrict m, double *restrict v)
{
    adam_update_fast(c, size, value, grad, m, v);
}

static void adam_update(const Optimizer *opt, const Parameter *p, double *m, double *v)
{
    double t = (double)opt->step_count;
    AdamConstants c = { opt->beta1, 1.0 - opt->beta1, opt->beta2, 1.0 - opt->beta2,
                        1.0 - pow(opt->beta1, t), 1.0 - pow(opt->beta2, t), opt->learning_rate,
                        opt->epsilon };
    switch (kernel_path()) {
    case KERNELS_TEXTBOOK: adam_update_textbook(opt, p, m, v); break;
    case KERNELS_PORTABLE: adam_update_portable(&c, p->size, p->value, p->grad, m, v); break;
    case KERNELS_AVX2: adam_update_avx2(&c, p->size, p->value, p->grad, m, v); break;
    }
}

void optimizer_step(Optimizer *opt)
{
    opt->step_count++;
    for (size_t k = 0; k < opt->parameters.count; k++) {
        const Parameter *p = &opt->parameters.items[k];
        if (opt->kind == OPTIMIZER_SGD)
            sgd_update(opt, p, opt->first[k]);
        else
            adam_update(opt, p, opt->first[k], opt->second[k]);
    }
}

void optimizer_free(Optimizer *opt)
{
    for (size_t k = 0; k < MAX_PARAMETER_TENSORS; k++) {
        free(opt->first[k]);
        free(opt->second[k]);
        opt->first[k] = opt->second[k] = NULL;
    }
}
