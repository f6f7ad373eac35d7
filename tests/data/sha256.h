/* tests/data/sha256.h — SHA-256 (FIPS 180-4), just enough to check the shipped data.
 *
 * The data tests compare the SHA-256 of each file in data/ with the sum recorded in
 * data/README.md, so that a corrupted or silently replaced file is noticed.  No library
 * may be used, hence this small implementation, written from the standard and checked
 * against its known answers ("abc" and friends) in tests/data/test_data.c.
 */
#ifndef VAELAB_TESTS_SHA256_H
#define VAELAB_TESTS_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define SHA256_DIGEST_BYTES 32
#define SHA256_HEX_LENGTH 64 /* characters, without the terminating NUL */

/* The running state of one hash: H0..H7, the bytes seen so far, a partial block. */
typedef struct Sha256 {
    uint32_t state[8];
    uint64_t total_bytes;
    unsigned char block[64];
    size_t block_used;
} Sha256;

/* Start a hash: H <- the initial hash value of FIPS 180-4 section 5.3.3. */
void sha256_init(Sha256 *hash);

/* Feed `size` more bytes of the message. */
void sha256_update(Sha256 *hash, const void *bytes, size_t size);

/* Pad the message (section 5.1.1), process the last block(s) and write the digest. */
void sha256_final(Sha256 *hash, unsigned char digest[SHA256_DIGEST_BYTES]);

/* The digest of `size` bytes as 64 lowercase hex digits plus NUL, the form sha256sum prints. */
void sha256_hex_of_bytes(const void *bytes, size_t size, char hex[SHA256_HEX_LENGTH + 1]);

/* The same for a whole file; false with a message if it cannot be read. */
bool sha256_hex_of_file(const char *path, char hex[SHA256_HEX_LENGTH + 1], Error *err);

#endif
