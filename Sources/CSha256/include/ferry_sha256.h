#ifndef FERRY_SHA256_H
#define FERRY_SHA256_H
#include <stddef.h>
#include <stdint.h>

// SHA-256's compression function on the CPU's SHA extensions (x86-64 SHA-NI), for Pyze's
// derived messageId. Everywhere else (no SHA-NI, another architecture) available() is 0 and
// ferry uses its portable Swift implementation; both give the same digests (tested).

/// SHA-256's 64 round constants (FIPS 180-4 4.2.2), for both implementations.
const uint32_t *ferry_sha256_round_constants(void);

/// 1 when this CPU can run ferry_sha256_hw_blocks.
int ferry_sha256_hw_available(void);

/// Compresses `blocks` 64-byte blocks at `data` into `state` (a, b, c, d, e, f, g, h).
void ferry_sha256_hw_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
