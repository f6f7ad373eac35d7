/* lib/numerics.h — the numerics the lectures take as known, written once.
 *
 * The reuse rule (docs/design.md): what the slides use without deriving it lives here and
 * is never an exercise; what a chapter teaches is that chapter's exercise (and a later
 * chapter that needs the lesson again asks it again, in its own context).  So here:
 * log-sum-exp and its mean, softmax, the scalar normal log-density, Phi and Phi^-1.
 *
 * Everything is computed so that it stays finite where the answer is finite: sums of
 * exponentials are shifted by their maximum (log-sum-exp trick), densities are kept in
 * logs, and Phi^-1 is refined against Phi in the tails.
 */
#ifndef VAELAB_NUMERICS_H
#define VAELAB_NUMERICS_H

#include <stddef.h>

/* log sum_i exp(a_i) = m + log sum_i exp(a_i - m),  m = max_i a_i;   a (n), n >= 1.
 * -inf when every a_i is -inf; +inf when one is +inf; NaN when one is NaN. */
double log_sum_exp(const double *a, size_t n);

/* log (1/n) sum_i exp(a_i) = log_sum_exp(a) - log n      a (n), n >= 1
 * (the k-sample bound log (1/k) sum_i w_i, with the log-weights in a). */
double log_mean_exp(const double *a, size_t n);

/* p_i = exp(a_i) / sum_j exp(a_j), shifted by max_j a_j       p, a (n); p may be a */
void softmax(double *p, const double *a, size_t n);

/* log p_i = a_i - log_sum_exp(a)                               log_p, a (n); may alias */
void log_softmax(double *log_p, const double *a, size_t n);

/* log N(x; mean, variance) = -(1/2) [log(2 pi variance) + (x - mean)^2 / variance],
 * variance > 0.  Finite wherever x is: at 40 standard deviations it is about -803. */
double log_normal_density(double x, double mean, double variance);

/* Phi(x) = P(Z <= x), Z ~ N(0, 1): (1/2) erfc(-x / sqrt 2), accurate in both tails. */
double normal_cdf(double x);

/* Phi^-1(p) for 0 < p < 1 (-inf at 0, +inf at 1, NaN outside [0, 1]): a rational
 * starting point (Abramowitz & Stegun 26.2.23), then Halley steps on Phi(x) - p until
 * they stop changing x, so Phi(Phi^-1(p)) = p to the precision of erfc. */
double normal_quantile(double p);

#endif
