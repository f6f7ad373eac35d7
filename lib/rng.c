/* lib/rng.c — see rng.h. */
#include "rng.h"

#include <assert.h>
#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t rotate_left(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void rng_seed(Rng *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng->state[i] = splitmix64(&seed);
    rng->has_spare_normal = false;
    rng->spare_normal = 0.0;
}

uint64_t rng_next(Rng *rng)
{
    uint64_t *s = rng->state;
    uint64_t result = rotate_left(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotate_left(s[3], 45);
    return result;
}

double rng_uniform(Rng *rng)
{
    return (double)(rng_next(rng) >> 11) * 0x1.0p-53;
}

/* Box-Muller: for u1, u2 ~ U(0, 1], r = sqrt(-2 ln u1) and theta = 2 pi u2 give two
 * independent standard normals r cos(theta) and r sin(theta). */
double rng_normal(Rng *rng)
{
    if (rng->has_spare_normal) {
        rng->has_spare_normal = false;
        return rng->spare_normal;
    }
    double u1 = 1.0 - rng_uniform(rng); /* in (0, 1]: log(u1) is finite */
    double u2 = rng_uniform(rng);
    double r = sqrt(-2.0 * log(u1));
    double theta = 2.0 * M_PI * u2;
    rng->spare_normal = r * sin(theta);
    rng->has_spare_normal = true;
    return r * cos(theta);
}

bool rng_bernoulli(Rng *rng, double p)
{
    return rng_uniform(rng) < p;
}

/* Rejection sampling removes the bias of `x % n` when 2^64 is not a multiple of n. */
size_t rng_below(Rng *rng, size_t n)
{
    assert(n > 0);
    uint64_t limit = UINT64_MAX - UINT64_MAX % (uint64_t)n;
    uint64_t x;
    do
        x = rng_next(rng);
    while (x >= limit);
    return (size_t)(x % (uint64_t)n);
}

void rng_shuffle(Rng *rng, size_t *items, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rng_below(rng, i);
        size_t swap = items[i - 1];
        items[i - 1] = items[j];
        items[j] = swap;
    }
}

void rng_fill_normal(Rng *rng, double *out, size_t n, double mean, double std)
{
    for (size_t i = 0; i < n; i++)
        out[i] = mean + std * rng_normal(rng);
}
