/* lib/numerics.c — log-sum-exp, softmax, the normal log-density, Phi and Phi^-1
 * (lib/numerics.h). */
#include "numerics.h"

#include <assert.h>
#include <math.h>

/* The largest a_i: the shift that keeps every exp(a_i - m) in (0, 1]. */
static double maximum(const double *a, size_t n)
{
    double m = a[0];
    for (size_t i = 1; i < n; i++)
        if (a[i] > m)
            m = a[i];
    return m;
}

double log_sum_exp(const double *a, size_t n)
{
    assert(n > 0);
    double m = maximum(a, n);
    if (isnan(m) || isinf(m)) /* all -inf (the sum is 0), a +inf, or a NaN first: m says it */
        return m;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += exp(a[i] - m); /* each term in (0, 1] (NaN stays NaN): no overflow */
    return m + log(sum);
}

double log_mean_exp(const double *a, size_t n)
{
    return log_sum_exp(a, n) - log((double)n);
}

void softmax(double *p, const double *a, size_t n)
{
    double m = maximum(a, n), sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        p[i] = exp(a[i] - m);
        sum += p[i];
    }
    for (size_t i = 0; i < n; i++)
        p[i] /= sum;
}

/* log p_i = (a_i - m) - log sum_j exp(a_j - m): subtracting m first keeps the digits that
 * a_i - log_sum_exp(a) would lose when the a_i are large. */
void log_softmax(double *log_p, const double *a, size_t n)
{
    double m = maximum(a, n), sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += exp(a[i] - m);
    double log_sum = log(sum);
    for (size_t i = 0; i < n; i++)
        log_p[i] = (a[i] - m) - log_sum;
}

double log_normal_density(double x, double mean, double variance)
{
    const double two_pi = 6.283185307179586477;
    return -0.5 * (log(two_pi * variance) + (x - mean) * (x - mean) / variance);
}

double normal_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

/* Abramowitz & Stegun 26.2.23: for 0 < q <= 1/2, Phi^-1(q) ~ -(t - c(t)/d(t)) with
 * t = sqrt(-2 log q); absolute error below 4.5e-4. */
static double quantile_start(double q)
{
    double t = sqrt(-2.0 * log(q));
    double numerator = 2.515517 + t * (0.802853 + t * 0.010328);
    double denominator = 1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308));
    return -(t - numerator / denominator);
}

double normal_quantile(double p)
{
    if (isnan(p) || p < 0.0 || p > 1.0)
        return NAN;
    if (p == 0.0)
        return -INFINITY;
    if (p == 1.0)
        return INFINITY;
    if (p > 0.5) /* symmetry, Phi^-1(p) = -Phi^-1(1 - p); 1 - p is exact for p >= 1/2 */
        return -normal_quantile(1.0 - p);
    /* Halley's method on f(x) = Phi(x) - p, f' = phi(x), f'' = -x phi(x):
     *     u = (Phi(x) - p) / phi(x),    x <- x - u / (1 + x u / 2),
     * cubic convergence: 4.5e-4 -> 1e-10 -> below rounding in two or three steps. */
    const double sqrt_two_pi = 2.5066282746310002416;
    double x = quantile_start(p);
    for (int step = 0; step < 8; step++) {
        double u = (normal_cdf(x) - p) * sqrt_two_pi * exp(0.5 * x * x);
        double next = x - u / (1.0 + 0.5 * x * u);
        if (next == x)
            break;
        x = next;
    }
    return x;
}
