#ifndef FERRY_BYTESCAN_H
#define FERRY_BYTESCAN_H
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Finding the next of two or three given bytes (or the end of a plain run in a JSON string),
// sixteen bytes at a time with SSE2 (part of every x86-64 CPU), for FerryCore's `ByteSearch`:
// the CSV reader's field scan and the JSON scanners' strings; and the JSON writer's copy of a
// string's plain run (`ferry_copy_json_plain`). Static inline, so that Swift's
// compiler inlines it into the scan loop like its own code. Where there is no SSE2, and for
// the last bytes before `end`, the caller's portable search takes over: the scan returns the
// first index it did not look at. Always inlined, and what it found returned whole
// (`ferry_scan_result`), so that the caller keeps it in registers: called, it cost a call for
// every JSON string the sandbox's scanner reads, and its results went through memory.

#if defined(__has_attribute)
#if __has_attribute(always_inline)
#define FERRY_SCAN_INLINE static inline __attribute__((always_inline))
#endif
#endif
#ifndef FERRY_SCAN_INLINE
#define FERRY_SCAN_INLINE static inline
#endif

/// What a scan found: `index`, the first match (with `found` 1) or, with `found` 0, the first
/// index not scanned (fewer than 16 bytes before `end`); `high` 0x80 when a byte before
/// `index` has its high bit set (non-ASCII), else 0. Returned whole, so that the caller keeps
/// it in registers (through pointers, it went through memory for every string).
typedef struct {
    size_t index;
    uint32_t found;
    uint32_t high;
} ferry_scan_result;

/// The scan both searches below share: for `a`, `b` or `c`, and with `controls` (a constant
/// at each call, so the test is compiled away where it is 0) for any byte below 0x20 too.
FERRY_SCAN_INLINE ferry_scan_result ferry_scan_stops(const uint8_t *p, size_t start, size_t end, uint8_t a, uint8_t b,
                                                     uint8_t c, int controls) {
    ferry_scan_result r = {start, 0, 0};
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b), vc = _mm_set1_epi8((char)c);
    const __m128i control = _mm_set1_epi8(0x1F);
    size_t i = start;
    unsigned high = 0;
    while (i + 16 <= end) {
        const __m128i w = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i eq = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, va), _mm_cmpeq_epi8(w, vb)), _mm_cmpeq_epi8(w, vc));
        // w <= 0x1F (unsigned) exactly where max(w, 0x1F) == 0x1F.
        if (controls) eq = _mm_or_si128(eq, _mm_cmpeq_epi8(_mm_max_epu8(w, control), control));
        const unsigned m = (unsigned)_mm_movemask_epi8(eq);
        const unsigned h = (unsigned)_mm_movemask_epi8(w);
        if (m != 0) {
            // The bytes below the first match: m & -m is its bit, minus one the bits below it.
            high |= h & ((m & (0u - m)) - 1u);
            r.index = i + (size_t)__builtin_ctz(m);
            r.found = 1;
            r.high = high ? 0x80 : 0;
            return r;
        }
        high |= h;
        i += 16;
    }
    r.index = i;
    r.high = high ? 0x80 : 0;
#endif
    return r;
}

/// Scans `p[start..<end)` sixteen bytes at a time for `a`, `b` or `c` (see `ferry_scan_result`).
/// For two bytes, give one of them twice.
FERRY_SCAN_INLINE ferry_scan_result ferry_scan3(const uint8_t *p, size_t start, size_t end, uint8_t a, uint8_t b,
                                                uint8_t c) {
    return ferry_scan_stops(p, start, end, a, b, c, 0);
}

/// Scans `p[start..<end)` sixteen bytes at a time for a byte that ends a plain run inside a
/// JSON string: a quote, a backslash or a control character (below 0x20).
FERRY_SCAN_INLINE ferry_scan_result ferry_scan_json_string(const uint8_t *p, size_t start, size_t end) {
    return ferry_scan_stops(p, start, end, '"', '\\', '\\', 1);
}

/// Copies the plain start of a JSON string's content, sixteen bytes at a time: `src[0..<n)`
/// to `dst` up to the first byte that may need escaping in valid UTF-8 (a control character,
/// `"`, `\`, or 0xE2, which leads U+2028 and U+2029), and returns that byte's index, or `n`
/// when there is none. `dst` must have room for `n + 16` bytes: whole blocks are stored, and
/// the bytes past the returned index are scratch for the caller to overwrite.
///
/// The last block may read up to 15 bytes past `src + n`, and does so only when they lie on
/// the same 4 KiB page as the block's first byte, which is mapped since that byte is `src`'s;
/// what those bytes hold is masked out. Otherwise, and where there is no SSE2, the last bytes
/// are copied one at a time. (AddressSanitizer would report those masked reads past a heap
/// block, so it is told not to look here.)
#if defined(__has_attribute)
#if __has_attribute(no_sanitize)
__attribute__((no_sanitize("address")))
#endif
#endif
static inline size_t ferry_copy_json_plain(uint8_t *dst, const uint8_t *src, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i e2 = _mm_set1_epi8((char)0xE2), control = _mm_set1_epi8(0x1F);
    while (i < n) {
        if (n - i < 16 && (((uintptr_t)(src + i)) & 4095u) > 4096u - 16u) break;
        const __m128i w = _mm_loadu_si128((const __m128i *)(src + i));
        _mm_storeu_si128((__m128i *)(dst + i), w);
        const __m128i stops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash)),
                                           _mm_or_si128(_mm_cmpeq_epi8(w, e2), _mm_cmpeq_epi8(_mm_max_epu8(w, control), control)));
        const unsigned m = (unsigned)_mm_movemask_epi8(stops);
        if (m != 0) {
            const size_t k = i + (size_t)__builtin_ctz(m);
            return k < n ? k : n;
        }
        i += 16;
    }
    if (i >= n) return n;
#endif
    for (; i < n; i++) {
        const uint8_t c = src[i];
        if (c < 0x20 || c == '"' || c == '\\' || c == 0xE2) return i;
        dst[i] = c;
    }
    return n;
}

#endif
