#ifndef FERRY_ISAL_H
#define FERRY_ISAL_H
#include <stdint.h>

// ISA-L's inflate (Intel's Intelligent Storage Acceleration Library), loaded at run time.
// It inflates gzip several times faster than zlib. It is optional: when ferry was built
// without its header (Debian: libisal-dev) or libisal.so.2 cannot be loaded, create returns
// NULL and ferry inflates with zlib.

typedef struct ferry_isal ferry_isal;

/// A new inflater for gzip members, or NULL when ISA-L is not available.
ferry_isal *ferry_isal_create(void);
void ferry_isal_destroy(ferry_isal *inflater);

/// Starts a new gzip member: header, deflate data, and a CRC-32 and size trailer that are checked.
void ferry_isal_begin_member(ferry_isal *inflater);

/// Result of one call to ferry_isal_inflate.
typedef struct {
    /// Input bytes consumed. At the end of a member, bytes past its trailer are not counted.
    uint32_t consumed;
    /// Output bytes written.
    uint32_t produced;
    /// 1 when the member's trailer has been read and checked.
    int32_t member_done;
    /// 0, or one of ISA-L's negative error codes (FERRY_ISAL_* below).
    int32_t status;
} ferry_isal_step;

ferry_isal_step ferry_isal_inflate(ferry_isal *inflater, const uint8_t *input, uint32_t input_count,
                                   uint8_t *output, uint32_t output_count);

#define FERRY_ISAL_INVALID_BLOCK -1
#define FERRY_ISAL_INVALID_SYMBOL -2
#define FERRY_ISAL_INVALID_LOOKBACK -3
#define FERRY_ISAL_INVALID_WRAPPER -4
#define FERRY_ISAL_UNSUPPORTED_METHOD -5
#define FERRY_ISAL_INCORRECT_CHECKSUM -6
#define FERRY_ISAL_NEED_DICT -7

#endif
