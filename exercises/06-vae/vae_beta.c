/* exercises/06-vae/vae_beta.c — the beta-VAE, the controlled capacity and the active units
 * (Wu L6 "VAE Variants"; Higgins et al. 2017; Burgess et al. 2017; Burda et al. 2016), on
 * top of the VAE of vae.c (see chapters/06-vae/vae.h and README.md sections 12-15). */
#include "vae.h"

#include <math.h>

#include "exercise.h"
#include "matrix.h"

/* ---- the beta-VAE ------------------------------------------------------------------------------- */

/* L_beta = R + beta KL                                    (Wu L6, "VAE Variants": J = E_q[log p] - beta KL) */
double vae_beta_forward(Vae *vae, VaeLoss *loss, const double *X, const double *eps, size_t B, double beta)
{
    /* EXERCISE 6.12 (2 points): the beta-VAE's loss and its gradient.
     * Replace this stub with your code; `make hint EX=6.12` prints a hint. */
    exercise_not_implemented("6.12", __func__);
    (void)vae;
    (void)X;
    (void)eps;
    (void)B;
    (void)beta;
    if (loss)
        *loss = (VaeLoss){ NAN, NAN }; // a safe wrong answer
    return NAN;
    /* END EXERCISE 6.12 */
}

/* grad L_beta = grad (R + KL) + (beta - 1) grad KL, and KL = (1/B) sum_i KL_i reaches phi only
 * through the heads mu_z and log sigma_z^2 (README section 12) */
void vae_beta_backward(Vae *vae, const double *X, const double *eps, size_t B, double beta)
{
    /* EXERCISE 6.12 (2 points): the beta-VAE's loss and its gradient.
     * Replace this stub with your code; `make hint EX=6.12` prints a hint. */
    exercise_not_implemented("6.12", __func__);
    (void)vae;
    (void)X;
    (void)eps;
    (void)B;
    (void)beta;
    /* END EXERCISE 6.12 */
}

/* ---- the controlled capacity ---------------------------------------------------------------------- */

/* d/dKL beta |KL - C| = beta sign(KL - C), with the subgradient 0 at KL = C   (Burgess et al. 2017) */
double vae_capacity_kl_weight(double kl, double beta, double capacity)
{
    /* EXERCISE 6.13 (2 points): the controlled capacity: its loss and subgradient.
     * Replace this stub with your code; `make hint EX=6.13` prints a hint. */
    exercise_not_implemented("6.13", __func__);
    (void)kl;
    (void)beta;
    (void)capacity;
    return NAN; // a safe wrong answer
    /* END EXERCISE 6.13 */
}

/* L_C = R + beta |KL - C|                                (Wu L6: "Controlled capacity") */
double vae_capacity_forward(Vae *vae, VaeLoss *loss, const double *X, const double *eps, size_t B, double beta,
                            double capacity)
{
    /* EXERCISE 6.13 (2 points): the controlled capacity: its loss and subgradient.
     * Replace this stub with your code; `make hint EX=6.13` prints a hint. */
    exercise_not_implemented("6.13", __func__);
    (void)vae;
    (void)X;
    (void)eps;
    (void)B;
    (void)beta;
    (void)capacity;
    if (loss)
        *loss = (VaeLoss){ NAN, NAN }; // a safe wrong answer
    return NAN;
    /* END EXERCISE 6.13 */
}

/* grad L_C = grad (R + w KL),  w = beta sign(KL - C) */
void vae_capacity_backward(Vae *vae, const double *X, const double *eps, size_t B, double beta, double capacity)
{
    /* EXERCISE 6.13 (2 points): the controlled capacity: its loss and subgradient.
     * Replace this stub with your code; `make hint EX=6.13` prints a hint. */
    exercise_not_implemented("6.13", __func__);
    (void)vae;
    (void)X;
    (void)eps;
    (void)B;
    (void)beta;
    (void)capacity;
    /* END EXERCISE 6.13 */
}

/* ---- which latent units carry information --------------------------------------------------------- */

/* A_j = Cov_x(E_q[z_j]) = (1/N) sum_i (mu_j(x_i) - m_j)^2      (Burda et al. 2016, section 5.2) */
size_t vae_active_units(Vae *vae, double *activity, double *mean, const double *X, size_t N, double threshold)
{
    /* EXERCISE 6.14 (2 points): the active units: Cov_x(E_q[z_j]) > 0.01.
     * Replace this stub with your code; `make hint EX=6.14` prints a hint. */
    exercise_not_implemented("6.14", __func__);
    (void)X;
    (void)N;
    (void)threshold;
    for (size_t j = 0; j < vae->shape.d; j++)
        activity[j] = mean[j] = NAN; // a safe wrong answer
    return 0;
    /* END EXERCISE 6.14 */
}

/* (1/N) sum_i KL(q(z_j | x_i) || N(0, 1)), each coordinate's KL as vae_kl of a 1-D code */
void vae_kl_per_dimension(Vae *vae, double *kl, const double *X, size_t N)
{
    size_t d = vae->shape.d, p = vae->shape.p, chunk = vae->max_batch;
    vector_zero(kl, d);
    for (size_t start = 0; start < N; start += chunk) {
        size_t B = start + chunk <= N ? chunk : N - start;
        vae_encode(vae, X + start * p, B);
        for (size_t k = 0; k < B * d; k++) {
            double kl_k;
            vae_kl(&kl_k, &vae->mu_z[k], &vae->log_variance_z[k], 1, 1);
            kl[k % d] += kl_k / (double)N;
        }
    }
}

/* ---- training on a schedule ------------------------------------------------------------------------ */

/* target min(1, t / steps): a linear ramp from 0, or the target at once when steps = 0 */
static double linear_ramp(double target, size_t step, size_t steps)
{
    return steps == 0 || step >= steps ? target : target * (double)step / (double)steps;
}

double vae_schedule_beta(const VaeSchedule *schedule, size_t step)
{
    return linear_ramp(schedule->beta, step, schedule->anneal_steps);
}

double vae_schedule_capacity(const VaeSchedule *schedule, size_t step)
{
    return linear_ramp(schedule->capacity, step, schedule->capacity_steps);
}

double vae_schedule_train_step(Vae *vae, Optimizer *optimizer, VaeLoss *loss, const double *X, size_t B, Rng *rng,
                               const VaeSchedule *schedule, size_t step)
{
    double beta = vae_schedule_beta(schedule, step), capacity = vae_schedule_capacity(schedule, step), objective;
    rng_fill_normal(rng, vae->eps, B * vae->shape.d, 0.0, 1.0);
    parameters_zero_grad(&vae->parameters);
    if (schedule->controlled) {
        objective = vae_capacity_forward(vae, loss, X, vae->eps, B, beta, capacity);
        vae_capacity_backward(vae, X, vae->eps, B, beta, capacity);
    } else {
        objective = vae_beta_forward(vae, loss, X, vae->eps, B, beta);
        vae_beta_backward(vae, X, vae->eps, B, beta);
    }
    optimizer_step(optimizer);
    return objective;
}

double vae_schedule_train_batch(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    VaeScheduleTrainer *t = trainer;
    VaeLoss loss;
    vae_schedule_train_step(t->base.vae, t->base.optimizer, &loss, X, B, t->base.rng, &t->schedule, t->step++);
    t->base.sum.reconstruction += (double)B * loss.reconstruction;
    t->base.sum.kl += (double)B * loss.kl;
    t->base.batches++;
    return loss.reconstruction + loss.kl;
}
