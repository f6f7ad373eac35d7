/* exercises/06-vae/vae_checkpoint.c — a trained VAE's parameters in a small binary file
 * (the format is in chapters/06-vae/vae.h). Not an exercise: the file format is plumbing.
 *
 * The whole file is built in memory, then written through OutFile (atomic), and read back
 * whole, so every check (size, magic, version, shape, checksum) happens before a single
 * parameter is overwritten. */
#include "vae.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"

static const char MAGIC[8] = { 'V', 'A', 'E', 'L', 'A', 'B', 'C', 'K' };
enum { CHECKPOINT_VERSION = 1, HEADER_BYTES = 8 + 3 * 4 + 3 * 8 + 8 + 8, CHECKSUM_BYTES = 8 };

/* FNV-1a, 64 bits: a byte-order-free checksum that catches any flipped byte. */
static uint64_t fnv1a64(const unsigned char *bytes, size_t n)
{
    uint64_t hash = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        hash ^= bytes[i];
        hash *= 1099511628211ull;
    }
    return hash;
}

static unsigned char *put_u64(unsigned char *at, uint64_t value)
{
    for (int k = 0; k < 8; k++)
        at[k] = (unsigned char)(value >> (8 * k));
    return at + 8;
}

static unsigned char *put_u32(unsigned char *at, uint32_t value)
{
    for (int k = 0; k < 4; k++)
        at[k] = (unsigned char)(value >> (8 * k));
    return at + 4;
}

static unsigned char *put_f64(unsigned char *at, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return put_u64(at, bits);
}

static uint64_t get_u64(const unsigned char **at)
{
    uint64_t value = 0;
    for (int k = 0; k < 8; k++)
        value |= (uint64_t)(*at)[k] << (8 * k);
    *at += 8;
    return value;
}

static uint32_t get_u32(const unsigned char **at)
{
    uint32_t value = 0;
    for (int k = 0; k < 4; k++)
        value |= (uint32_t)(*at)[k] << (8 * k);
    *at += 4;
    return value;
}

static double get_f64(const unsigned char **at)
{
    uint64_t bits = get_u64(at);
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* The exact size of the file of this model: header, a size and the values per tensor, checksum. */
static size_t checkpoint_size(const Vae *vae)
{
    return HEADER_BYTES + 8 * vae->parameters.count + 8 * parameters_count_scalars(&vae->parameters)
           + CHECKSUM_BYTES;
}

static unsigned char *put_header(unsigned char *at, const Vae *vae)
{
    memcpy(at, MAGIC, sizeof MAGIC);
    at = put_u32(at + sizeof MAGIC, CHECKPOINT_VERSION);
    at = put_u32(at, (uint32_t)vae->shape.decoder);
    at = put_u32(at, (uint32_t)vae->shape.hidden_activation);
    at = put_u64(at, vae->shape.p);
    at = put_u64(at, vae->shape.hidden);
    at = put_u64(at, vae->shape.d);
    at = put_f64(at, vae->shape.log_variance_floor);
    return put_u64(at, vae->parameters.count);
}

bool vae_save(const Vae *vae, const char *path, Error *err)
{
    size_t size = checkpoint_size(vae);
    unsigned char *bytes = checked_calloc(size, 1, err);
    if (!bytes)
        return false;
    unsigned char *at = put_header(bytes, vae);
    for (size_t k = 0; k < vae->parameters.count; k++) {
        const Parameter *tensor = &vae->parameters.items[k];
        at = put_u64(at, tensor->size);
        for (size_t i = 0; i < tensor->size; i++)
            at = put_f64(at, tensor->value[i]);
    }
    put_u64(at, fnv1a64(bytes, size - CHECKSUM_BYTES));
    OutFile out;
    bool ok = outfile_open(&out, path, err);
    if (ok && fwrite(bytes, 1, size, out.stream) != size) {
        outfile_abort(&out);
        ok = error_set(err, "%s: could not write the checkpoint", path);
    } else if (ok) {
        ok = outfile_commit(&out, err);
    }
    free(bytes);
    return ok;
}

/* Read the whole file, up to `limit` bytes (one more than a valid file has, so that a
 * longer file is noticed). */
static unsigned char *read_file(const char *path, size_t limit, size_t *size, Error *err)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        error_set(err, "%s: cannot open the checkpoint", path);
        return NULL;
    }
    unsigned char *bytes = checked_calloc(limit, 1, err);
    if (bytes) {
        *size = fread(bytes, 1, limit, file);
        if (ferror(file)) {
            free(bytes);
            bytes = NULL;
            error_set(err, "%s: cannot read the checkpoint", path);
        }
    }
    fclose(file);
    return bytes;
}

static const char *decoder_name(uint32_t kind)
{
    switch (kind) {
    case VAE_DECODER_BERNOULLI: return "Bernoulli";
    case VAE_DECODER_GAUSSIAN: return "Gaussian";
    case VAE_DECODER_GAUSSIAN_SHARED: return "Gaussian shared-variance";
    default: return "unknown";
    }
}

/* The header says what the file holds: the same version and shape as `vae`, or an error. */
static bool check_header(const unsigned char *bytes, const Vae *vae, const char *path, Error *err)
{
    if (memcmp(bytes, MAGIC, sizeof MAGIC) != 0)
        return error_set(err, "%s: not a vaelab VAE checkpoint (no VAELABCK magic)", path);
    const unsigned char *at = bytes + sizeof MAGIC;
    uint32_t version = get_u32(&at), decoder = get_u32(&at), activation = get_u32(&at);
    uint64_t p = get_u64(&at), hidden = get_u64(&at), d = get_u64(&at);
    double floor = get_f64(&at);
    uint64_t count = get_u64(&at);
    if (version != CHECKPOINT_VERSION)
        return error_set(err, "%s: checkpoint version %u, this program reads version %d", path, (unsigned)version,
                         CHECKPOINT_VERSION);
    const VaeShape *s = &vae->shape;
    if (decoder != (uint32_t)s->decoder || p != s->p || hidden != s->hidden || d != s->d
        || activation != (uint32_t)s->hidden_activation || count != vae->parameters.count
        || (vae_decoder_is_gaussian(s->decoder) && floor != s->log_variance_floor))
        return error_set(err,
                         "%s: the checkpoint holds a %s VAE %llu-%llu-%llu, this run builds a %s VAE %zu-%zu-%zu "
                         "(give the same --decoder, --hidden and --d as when it was saved)",
                         path, decoder_name(decoder), (unsigned long long)p, (unsigned long long)hidden,
                         (unsigned long long)d, decoder_name(s->decoder), s->p, s->hidden, s->d);
    return true;
}

/* Each tensor's recorded size is the model's (the shape was checked; this is the last guard). */
static bool check_tensor_sizes(const unsigned char *bytes, const Vae *vae, const char *path, Error *err)
{
    const unsigned char *at = bytes + HEADER_BYTES;
    for (size_t k = 0; k < vae->parameters.count; k++) {
        const Parameter *tensor = &vae->parameters.items[k];
        if (get_u64(&at) != tensor->size)
            return error_set(err, "%s: tensor %s has the wrong size", path, tensor->name);
        at += 8 * tensor->size;
    }
    return true;
}

bool vae_load(Vae *vae, const char *path, Error *err)
{
    size_t expected = checkpoint_size(vae), size = 0;
    unsigned char *bytes = read_file(path, expected + 1, &size, err);
    if (!bytes)
        return false;
    bool ok = true;
    if (size < HEADER_BYTES || memcmp(bytes, MAGIC, sizeof MAGIC) != 0)
        ok = size >= sizeof MAGIC && memcmp(bytes, MAGIC, sizeof MAGIC) == 0
                 ? error_set(err, "%s: truncated checkpoint (%zu bytes)", path, size)
                 : error_set(err, "%s: not a vaelab VAE checkpoint (no VAELABCK magic)", path);
    else if (!check_header(bytes, vae, path, err))
        ok = false;
    else if (size != expected)
        ok = error_set(err, "%s: %s checkpoint (%zu bytes, expected %zu)", path,
                       size < expected ? "truncated" : "oversized", size, expected);
    else {
        const unsigned char *at = bytes + expected - CHECKSUM_BYTES;
        if (get_u64(&at) != fnv1a64(bytes, expected - CHECKSUM_BYTES))
            ok = error_set(err, "%s: corrupt checkpoint (checksum mismatch)", path);
    }
    ok = ok && check_tensor_sizes(bytes, vae, path, err);
    const unsigned char *at = bytes + HEADER_BYTES;
    for (size_t k = 0; ok && k < vae->parameters.count; k++) {
        const Parameter *tensor = &vae->parameters.items[k];
        at += 8;
        for (size_t i = 0; i < tensor->size; i++)
            tensor->value[i] = get_f64(&at);
    }
    free(bytes);
    return ok;
}
