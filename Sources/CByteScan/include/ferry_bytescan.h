#ifndef FERRY_BYTESCAN_H
#define FERRY_BYTESCAN_H
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Finding the next of two or three given bytes (or the end of a plain run in a JSON string),
// sixteen bytes at a time with SSE2 (part of every x86-64 CPU), for FerryCore's `ByteSearch`:
// the CSV reader's field scan and the JSON scanners' strings. Static inline, so that Swift's
// compiler inlines it into the scan loop like its own code. Where there is no SSE2, and for
// the last bytes before `end`, the caller's portable search takes over: the scan returns the
// first index it did not look at.

/// The scan both searches below share: for `a`, `b` or `c`, and with `controls` (a constant
/// at each call, so the test is compiled away where it is 0) for any byte below 0x20 too.
static inline size_t ferry_scan_stops(const uint8_t *p, size_t start, size_t end, uint8_t a, uint8_t b, uint8_t c,
                                      int controls, uint8_t *high, int *found) {
    size_t i = start;
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b), vc = _mm_set1_epi8((char)c);
    const __m128i control = _mm_set1_epi8(0x1F);
    while (i + 16 <= end) {
        const __m128i w = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i eq = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, va), _mm_cmpeq_epi8(w, vb)), _mm_cmpeq_epi8(w, vc));
        // w <= 0x1F (unsigned) exactly where max(w, 0x1F) == 0x1F.
        if (controls) eq = _mm_or_si128(eq, _mm_cmpeq_epi8(_mm_max_epu8(w, control), control));
        const unsigned m = (unsigned)_mm_movemask_epi8(eq);
        const unsigned h = (unsigned)_mm_movemask_epi8(w);
        if (m != 0) {
            const unsigned k = (unsigned)__builtin_ctz(m);
            if (h & ((1u << k) - 1u)) *high |= 0x80;
            *found = 1;
            return i + k;
        }
        if (h != 0) *high |= 0x80;
        i += 16;
    }
#endif
    *found = 0;
    return i;
}

/// Scans `p[start..<end)` sixteen bytes at a time for `a`, `b` or `c`. Returns the index of
/// the first match, with `*found` set to 1; or, with `*found` 0, the first index not
/// scanned (fewer than 16 bytes before `end`). `*high` gets 0x80 when a byte before the
/// returned index has its high bit set (non-ASCII). For two bytes, give one of them twice.
static inline size_t ferry_scan3(const uint8_t *p, size_t start, size_t end, uint8_t a, uint8_t b, uint8_t c,
                                 uint8_t *high, int *found) {
    return ferry_scan_stops(p, start, end, a, b, c, 0, high, found);
}

/// Scans `p[start..<end)` sixteen bytes at a time for a byte that ends a plain run inside a
/// JSON string: a quote, a backslash or a control character (below 0x20). Returns and sets
/// `*found` and `*high` as `ferry_scan3` does.
static inline size_t ferry_scan_json_string(const uint8_t *p, size_t start, size_t end, uint8_t *high, int *found) {
    return ferry_scan_stops(p, start, end, '"', '\\', '\\', 1, high, found);
}

#endif
