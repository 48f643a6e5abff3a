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

static void sha1_block(uint32_t h[5], const unsigned char *p) {
  uint32_t w[80], a, b, c, d, e, t;
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
           (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
  for (int i = 16; i < 80; i++)
    w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  a = h[0];
  b = h[1];
  c = h[2];
  d = h[3];
  e = h[4];
  for (int i = 0; i < 80; i++) {
    uint32_t f, k;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    t = ROL(a, 5) + f + e + k + w[i];
    e = d;
    d = c;
    c = ROL(b, 30);
    b = a;
    a = t;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
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
      sha1_block(c->h, c->block);
      c->used = 0;
    }
  }
  while (len >= 64) {
    sha1_block(c->h, p);
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
  unsigned char pad = 0x80, zero = 0, len[8];
  sqlitch_sha1_update(c, &pad, 1);
  while (c->used != 56) sqlitch_sha1_update(c, &zero, 1);
  for (int i = 0; i < 8; i++) len[i] = (unsigned char)(bits >> (56 - 8 * i));
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
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sqlitch_sha1_update(&c, buf, n);
  int bad = ferror(f);
  fclose(f);
  if (bad) return -1;
  sqlitch_sha1_final_hex(&c, out);
  return 0;
}
