/* lib/rng.h — the one source of randomness in vaelab.
 *
 * Generator: xoshiro256** (Blackman & Vigna, 2018), a small, fast, well-tested 64-bit
 * generator; its 256-bit state is filled from the seed by splitmix64, as its authors
 * recommend.  Everything random in vaelab takes an explicit `Rng *`, and every program
 * has a --seed flag: the same seed and the same binary give the same bits.
 */
#ifndef VAELAB_RNG_H
#define VAELAB_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Rng {
    uint64_t state[4];
    bool has_spare_normal; /* Box-Muller makes normals in pairs; the second waits here */
    double spare_normal;
} Rng;

void rng_seed(Rng *rng, uint64_t seed);        /* state <- splitmix64(seed), 4 times */
uint64_t rng_next(Rng *rng);                   /* the next 64 random bits */
double rng_uniform(Rng *rng);                  /* u ~ U[0, 1), 53 random bits */
double rng_normal(Rng *rng);                   /* eps ~ N(0, 1), Box-Muller */
bool rng_bernoulli(Rng *rng, double p);        /* true with probability p */
size_t rng_below(Rng *rng, size_t n);          /* uniform on {0, ..., n-1}, unbiased; n > 0 */
void rng_shuffle(Rng *rng, size_t *items, size_t n); /* uniform permutation, Fisher-Yates */
void rng_fill_normal(Rng *rng, double *out, size_t n, double mean, double std); /* out_i ~ N(mean, std^2) */

#endif
