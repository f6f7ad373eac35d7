/* tests/data/sha256.c — SHA-256 as FIPS 180-4 describes it (section numbers below). */
#include "sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes. */
static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/* Section 3.2: rotate right by n bits (0 < n < 32). */
static uint32_t rotate_right(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

/* Section 4.1.2: the six logical functions of SHA-256. */
static uint32_t choose(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (~x & z); }
static uint32_t majority(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (x & z) ^ (y & z); }
static uint32_t big_sigma0(uint32_t x) { return rotate_right(x, 2) ^ rotate_right(x, 13) ^ rotate_right(x, 22); }
static uint32_t big_sigma1(uint32_t x) { return rotate_right(x, 6) ^ rotate_right(x, 11) ^ rotate_right(x, 25); }
static uint32_t small_sigma0(uint32_t x) { return rotate_right(x, 7) ^ rotate_right(x, 18) ^ (x >> 3); }
static uint32_t small_sigma1(uint32_t x) { return rotate_right(x, 17) ^ rotate_right(x, 19) ^ (x >> 10); }

/* Section 6.2.2: process one 512-bit block (the message words are big-endian). */
static void process_block(uint32_t state[8], const unsigned char block[64])
{
    uint32_t schedule[64]; /* W_0 .. W_63 */
    for (int t = 0; t < 16; t++)
        schedule[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
                      (uint32_t)block[4 * t + 2] << 8 | (uint32_t)block[4 * t + 3];
    for (int t = 16; t < 64; t++)
        schedule[t] = small_sigma1(schedule[t - 2]) + schedule[t - 7] +
                      small_sigma0(schedule[t - 15]) + schedule[t - 16];

    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = h + big_sigma1(e) + choose(e, f, g) + round_constants[t] + schedule[t];
        uint32_t t2 = big_sigma0(a) + majority(a, b, c);
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a, state[1] += b, state[2] += c, state[3] += d;
    state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

void sha256_init(Sha256 *hash)
{
    /* Section 5.3.3: fractional parts of the square roots of the first 8 primes. */
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(hash->state, initial, sizeof initial);
    hash->total_bytes = 0;
    hash->block_used = 0;
}

void sha256_update(Sha256 *hash, const void *bytes, size_t size)
{
    const unsigned char *next = bytes;
    hash->total_bytes += size;
    while (size > 0) {
        size_t room = sizeof hash->block - hash->block_used;
        size_t taken = size < room ? size : room;
        memcpy(hash->block + hash->block_used, next, taken);
        hash->block_used += taken;
        next += taken;
        size -= taken;
        if (hash->block_used == sizeof hash->block) {
            process_block(hash->state, hash->block);
            hash->block_used = 0;
        }
    }
}

void sha256_final(Sha256 *hash, unsigned char digest[SHA256_DIGEST_BYTES])
{
    /* Section 5.1.1: a 1 bit, zeros up to 448 bits mod 512, then the length in bits as a
     * 64-bit big-endian number. */
    uint64_t length_in_bits = hash->total_bytes * 8;
    static const unsigned char one_bit = 0x80, zero = 0x00;
    sha256_update(hash, &one_bit, 1);
    while (hash->block_used != 56)
        sha256_update(hash, &zero, 1);
    unsigned char length[8];
    for (int i = 0; i < 8; i++)
        length[i] = (unsigned char)(length_in_bits >> (56 - 8 * i));
    sha256_update(hash, length, sizeof length);

    for (int i = 0; i < 8; i++) { /* section 6.2.2 step 4: H0 || H1 || ... || H7, big-endian */
        digest[4 * i] = (unsigned char)(hash->state[i] >> 24);
        digest[4 * i + 1] = (unsigned char)(hash->state[i] >> 16);
        digest[4 * i + 2] = (unsigned char)(hash->state[i] >> 8);
        digest[4 * i + 3] = (unsigned char)hash->state[i];
    }
}

static void digest_to_hex(const unsigned char digest[SHA256_DIGEST_BYTES],
                          char hex[SHA256_HEX_LENGTH + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_BYTES; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0x0f];
    }
    hex[SHA256_HEX_LENGTH] = '\0';
}

void sha256_hex_of_bytes(const void *bytes, size_t size, char hex[SHA256_HEX_LENGTH + 1])
{
    Sha256 hash;
    unsigned char digest[SHA256_DIGEST_BYTES];
    sha256_init(&hash);
    sha256_update(&hash, bytes, size);
    sha256_final(&hash, digest);
    digest_to_hex(digest, hex);
}

bool sha256_hex_of_file(const char *path, char hex[SHA256_HEX_LENGTH + 1], Error *err)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return error_set(err, "cannot open %s: %s", path, strerror(errno));
    Sha256 hash;
    sha256_init(&hash);
    unsigned char buffer[65536];
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, file)) > 0)
        sha256_update(&hash, buffer, got);
    bool failed = ferror(file) != 0;
    int saved_errno = errno;
    fclose(file);
    if (failed)
        return error_set(err, "cannot read %s: %s", path, strerror(saved_errno));
    unsigned char digest[SHA256_DIGEST_BYTES];
    sha256_final(&hash, digest);
    digest_to_hex(digest, hex);
    return true;
}
