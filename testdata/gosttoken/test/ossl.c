/*
 * The test's own OpenSSL code, independent of the module: building public
 * keys from PKCS#11 attributes, verifying signatures with the GOST engine,
 * and a second verifier written from FACTS §2.1 that uses OpenSSL only for
 * the curve arithmetic, so that a byte-order slip on either side shows.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/err.h>

#include "t.h"

static ENGINE *engine;

void ossl_init(void)
{
	engine = ENGINE_by_id("gost");
	if (!engine || !ENGINE_init(engine)) {
		fprintf(stderr, "cannot load the OpenSSL GOST engine (libengine-gost-openssl)\n");
		exit(1);
	}
	ENGINE_set_default(engine, ENGINE_METHOD_ALL); /* like default_algorithms = ALL */
}

void ossl_fini(void)
{
	ENGINE_finish(engine);
	ENGINE_free(engine);
}

static const EVP_MD *streebog(int bits)
{
	return ENGINE_get_digest(engine, bits == 256 ? NID_id_GostR3411_2012_256 : NID_id_GostR3411_2012_512);
}

void ossl_streebog(int bits, const void *msg, size_t len, unsigned char *out)
{
	if (!EVP_Digest(msg, len, out, NULL, streebog(bits), engine))
		fail_at(__FILE__, __LINE__, "EVP_Digest failed");
}

/* DER: tag, length, content appended to out at *n. */
static void tlv(unsigned char *out, size_t *n, int tag, const unsigned char *c, size_t clen)
{
	out[(*n)++] = (unsigned char)tag;
	if (clen > 255) {
		out[(*n)++] = 0x82;
		out[(*n)++] = (unsigned char)(clen >> 8);
	} else if (clen > 127) {
		out[(*n)++] = 0x81;
	}
	out[(*n)++] = (unsigned char)clen;
	memmove(out + *n, c, clen);
	*n += clen;
}

EVP_PKEY *ossl_pubkey(const unsigned char *params, size_t plen, const unsigned char *value, size_t vlen)
{
	static const unsigned char alg256[] = { 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x01, 0x01 };
	static const unsigned char alg512[] = { 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x01, 0x02 };
	static const unsigned char hash256[] = { 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02 };
	static const unsigned char cryptopro[] = { 0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02 };
	unsigned char a[64], b[64], os[160], bs[160], spki[256];
	const unsigned char *pp = spki;
	size_t an = 0, bn = 0, on = 0, sn = 0, n;
	EVP_PKEY *k;

	/* parameters: SEQUENCE { publicKeyParamSet, digestParamSet for the 2001 CryptoPro sets } */
	memcpy(a, params, plen);
	an = plen;
	if (plen > sizeof cryptopro && memcmp(params, cryptopro, sizeof cryptopro) == 0) {
		memcpy(a + an, hash256, sizeof hash256);
		an += sizeof hash256;
	}
	memcpy(b, vlen == 64 ? alg256 : alg512, sizeof alg256);
	bn = sizeof alg256;
	tlv(b, &bn, 0x30, a, an);              /* b = OID, params */
	tlv(os, &on, 0x30, b, bn);             /* os = AlgorithmIdentifier */
	bs[0] = 0;                             /* BIT STRING: no unused bits, OCTET STRING LE(x)||LE(y) */
	n = 1;
	tlv(bs, &n, 0x04, value, vlen);
	tlv(os, &on, 0x03, bs, n);
	tlv(spki, &sn, 0x30, os, on);
	k = d2i_PUBKEY(NULL, &pp, (long)sn);
	if (!k)
		ERR_print_errors_fp(stderr);
	return k;
}

int ossl_verify_digest(EVP_PKEY *pub, const unsigned char *dg, size_t dlen, const unsigned char *sig, size_t slen)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pub, engine);
	int ok = c && EVP_PKEY_verify_init(c) > 0 && EVP_PKEY_verify(c, sig, slen, dg, dlen) == 1;
	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return ok;
}

int ossl_verify_message(EVP_PKEY *pub, int bits, const void *msg, size_t mlen, const unsigned char *sig, size_t slen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestVerifyInit(c, NULL, streebog(bits), engine, pub) > 0 &&
		 EVP_DigestVerify(c, sig, slen, msg, mlen) == 1;
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return ok;
}

/*
 * FACTS §2.1: e = LE(digest) mod q (0 -> 1); signature = BE(s)||BE(r);
 * public key = LE(x)||LE(y); accept iff x(s/e*P - r/e*Q) mod q == r.
 */
int math_verify(EVP_PKEY *curve, const unsigned char *value, size_t vlen, const unsigned char *dg,
		size_t dlen, const unsigned char *sig, size_t slen)
{
	const EC_KEY *ec = EVP_PKEY_get0(curve);
	const EC_GROUP *g = ec ? EC_KEY_get0_group(ec) : NULL;
	BN_CTX *ctx = BN_CTX_new();
	EC_POINT *Q = g ? EC_POINT_new(g) : NULL, *C = g ? EC_POINT_new(g) : NULL;
	BIGNUM *x, *y, *e, *r, *s, *v, *z1, *z2, *R;
	const BIGNUM *q;
	size_t n = vlen / 2;
	int ok = 0;

	if (!g || !ctx || !Q || !C || slen != vlen || dlen != n)
		goto out;
	BN_CTX_start(ctx);
	x = BN_CTX_get(ctx), y = BN_CTX_get(ctx), e = BN_CTX_get(ctx), r = BN_CTX_get(ctx);
	s = BN_CTX_get(ctx), v = BN_CTX_get(ctx), z1 = BN_CTX_get(ctx), z2 = BN_CTX_get(ctx);
	R = BN_CTX_get(ctx);
	q = EC_GROUP_get0_order(g);
	if (!R || !BN_lebin2bn(value, (int)n, x) || !BN_lebin2bn(value + n, (int)n, y) ||
	    !EC_POINT_set_affine_coordinates(g, Q, x, y, ctx) || /* checks Q is on the curve */
	    !BN_lebin2bn(dg, (int)dlen, e) || !BN_nnmod(e, e, q, ctx) ||
	    !BN_bin2bn(sig, (int)n, s) || !BN_bin2bn(sig + n, (int)n, r))
		goto end;
	if (BN_is_zero(e))
		BN_one(e);
	if (BN_is_zero(r) || BN_cmp(r, q) >= 0 || BN_is_zero(s) || BN_cmp(s, q) >= 0)
		goto end;
	if (!BN_mod_inverse(v, e, q, ctx) || !BN_mod_mul(z1, s, v, q, ctx) ||
	    !BN_mod_mul(z2, r, v, q, ctx) || !BN_mod_sub(z2, q, z2, q, ctx) ||
	    !EC_POINT_mul(g, C, z1, Q, z2, ctx) ||
	    !EC_POINT_get_affine_coordinates(g, C, R, NULL, ctx) || !BN_nnmod(R, R, q, ctx))
		goto end;
	ok = BN_cmp(R, r) == 0;
end:
	BN_CTX_end(ctx);
out:
	EC_POINT_free(Q);
	EC_POINT_free(C);
	BN_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static void unhex(const char *h, unsigned char *out, size_t *n)
{
	for (*n = 0; h[2 * *n]; (*n)++) {
		unsigned v;
		sscanf(h + 2 * *n, "%2x", &v);
		out[*n] = (unsigned char)v;
	}
}

/* The verifiers must accept the RFC 7091 examples in the byte forms of FACTS §2.2. */
int ossl_self_check(void)
{
	static const struct {
		const char *params, *value, *digest, *sig;
	} ex[] = {
		{ "06072a850302022300",
		  "0bd86fe5d8db89668f789b4e1dba8585c5508b45ec5b59d8906ddb70e2492b7fda77ff871a10fbdf2766d293c5d164afbb3c7b973a41c885d11d70d689b4f126",
		  "e53e042b67e6ec678e2e02b12a0352ce1fc6eee0529cc088119ad872b3c1fb2d",
		  "01456c64ba4642a1653c235a98a60249bcd6d3f746b631df928014f6c5bf9c4041aa28d2f1ab148280cd9ed56feda41974053554a42767b83ad043fd39dc0493" },
		{ "06092a8503070102010200",
		  "e1ef30d52c6133ddd99d1d5c41455cf7df4d8b4c925bbc69af1433d15658515add2146850c325c5b81c133be655aa8c4d440e7b98a8d59487b0c7696bcc55d11ecbe7736a9ec357ff2fd39931f4e114cb8cda359270ac7f0e7ff43d9419419ea61fd2ab77f5d9f63523d3b50a04f63e2a0cf51b7c13adc21560f0bd40cc9c737",
		  "8c5b0772297d77c64f0c561ddbde7a405a5d7c646c97394341f4936553ee847191c5b03570141da733c570c1f9b6091b53ab8d4d7c4a4f5c61e0c9accff35437",
		  "1081b394696ffe8e6585e7a9362d26b6325f56778aadbc081c0bfbe933d52ff5823ce288e8c4f362526080df7f70ce406a6eeb1f56919cb92a9853bde73e5b4a2f86fa60a081091a23dd795e1e3c689ee512a3c82ee0dcc2643c78eea8fcacd35492558486b20f1c9ec197c90699850260c93bcbcd9c5c3317e19344e173ae36" },
	};
	unsigned char params[16], value[128], dg[64], sig[128], rev[64];
	size_t plen, vlen, dlen, slen, i, j;
	int ok = 1;

	for (i = 0; i < 2; i++) {
		EVP_PKEY *k;
		unhex(ex[i].params, params, &plen);
		unhex(ex[i].value, value, &vlen);
		unhex(ex[i].digest, dg, &dlen);
		unhex(ex[i].sig, sig, &slen);
		for (j = 0; j < dlen; j++)
			rev[j] = dg[dlen - 1 - j];
		if (!(k = ossl_pubkey(params, plen, value, vlen)))
			return 0;
		ok &= ossl_verify_digest(k, dg, dlen, sig, slen);
		ok &= math_verify(k, value, vlen, dg, dlen, sig, slen);
		/* and reject the big-endian reading of the digest */
		ok &= !ossl_verify_digest(k, rev, dlen, sig, slen);
		ok &= !math_verify(k, value, vlen, rev, dlen, sig, slen);
		EVP_PKEY_free(k);
	}
	return ok;
}

X509 *ossl_make_cert(EVP_PKEY *pub, unsigned char **der, int *derlen)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(NID_id_GostR3410_2012_256, engine);
	EVP_PKEY *ca = NULL;
	X509 *x = X509_new();
	X509_NAME *subj = X509_NAME_new(), *iss = X509_NAME_new();
	int ok = c && x && subj && iss && EVP_PKEY_keygen_init(c) > 0 &&
		 EVP_PKEY_CTX_ctrl_str(c, "paramset", "TCA") > 0 && EVP_PKEY_keygen(c, &ca) > 0 &&
		 X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234) &&
		 X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8, (const unsigned char *)"gosttoken test user", -1, -1, 0) &&
		 X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_UTF8, (const unsigned char *)"gosttoken test CA", -1, -1, 0) &&
		 X509_set_subject_name(x, subj) && X509_set_issuer_name(x, iss) &&
		 X509_gmtime_adj(X509_getm_notBefore(x), 0) && X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
		 X509_set_pubkey(x, pub) && X509_sign(x, ca, streebog(256)) > 0 &&
		 (*derlen = i2d_X509(x, der)) > 0;
	if (!ok) {
		ERR_print_errors_fp(stderr);
		X509_free(x);
		x = NULL;
	}
	X509_NAME_free(subj);
	X509_NAME_free(iss);
	EVP_PKEY_free(ca);
	EVP_PKEY_CTX_free(c);
	return x;
}
