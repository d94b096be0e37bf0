/* Signing with every mechanism, digests, the buffer-size conventions, concurrency. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

static const unsigned char oid_h256[] = { 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02 };
static const unsigned char oid_h512[] = { 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03 };

static EVP_PKEY *pubkey_of(CK_SESSION_HANDLE s, const struct key *k, unsigned char **v, CK_ULONG *vlen)
{
	EVP_PKEY *pub;
	*v = get_attr(s, k->pub, CKA_VALUE, vlen);
	pub = *v ? ossl_pubkey(k->params, k->plen, *v, *vlen) : NULL;
	CHECK(pub != NULL);
	return pub;
}

/* Checks a signature of msg three ways: engine on the digest, engine on the message, FACTS math. */
static int verify_all(CK_SESSION_HANDLE s, const struct key *k, const unsigned char *msg, size_t len,
		      const unsigned char *sig, size_t slen)
{
	unsigned char dg[64], *v;
	CK_ULONG vlen;
	size_t n = (size_t)k->bits / 8;
	EVP_PKEY *pub = pubkey_of(s, k, &v, &vlen);
	int ok;

	ossl_streebog(k->bits, msg, len, dg);
	ok = pub && slen == 2 * n && ossl_verify_digest(pub, dg, n, sig, slen) &&
	     ossl_verify_message(pub, k->bits, msg, len, sig, slen) &&
	     math_verify(pub, v, vlen, dg, n, sig, slen);
	EVP_PKEY_free(pub);
	free(v);
	return ok;
}

static void sign_mechanisms(CK_SESSION_HANDLE s, const struct key *k)
{
	CK_MECHANISM raw = { k->bits == 256 ? CKM_GOSTR3410 : CKM_GOSTR3410_512, NULL, 0 };
	CK_MECHANISM with = { k->bits == 256 ? CKM_GOSTR3410_WITH_GOSTR3411_12_256
					     : CKM_GOSTR3410_WITH_GOSTR3411_12_512, NULL, 0 };
	const unsigned char *oid = k->bits == 256 ? oid_h256 : oid_h512, *other = k->bits == 256 ? oid_h512 : oid_h256;
	unsigned char msg[3000], dg[64], sig[128];
	CK_ULONG n = (CK_ULONG)k->bits / 8, slen, i;

	for (i = 0; i < sizeof msg; i++)
		msg[i] = (unsigned char)(i * 7 + 1);
	ossl_streebog(k->bits, msg, sizeof msg, dg);

	/* raw: one digest in wire order */
	RV(p11->C_SignInit(s, &raw, k->priv), CKR_OK);
	slen = sizeof sig;
	RV(p11->C_Sign(s, dg, n, sig, &slen), CKR_OK);
	if (!verify_all(s, k, msg, sizeof msg, sig, slen))
		fail_at(__FILE__, __LINE__, "%s: raw signature does not verify", k->name);

	/* with hashing, single part */
	RV(p11->C_SignInit(s, &with, k->priv), CKR_OK);
	slen = sizeof sig;
	RV(p11->C_Sign(s, msg, sizeof msg, sig, &slen), CKR_OK);
	if (!verify_all(s, k, msg, sizeof msg, sig, slen))
		fail_at(__FILE__, __LINE__, "%s: single-part signature does not verify", k->name);

	/* with hashing, multi-part, with the digest OID as parameter (as Rutoken's samples do) */
	with.pParameter = (void *)oid;
	with.ulParameterLen = sizeof oid_h256;
	RV(p11->C_SignInit(s, &with, k->priv), CKR_OK);
	RV(p11->C_SignUpdate(s, msg, 1000), CKR_OK);
	RV(p11->C_SignUpdate(s, msg + 1000, 0), CKR_OK);
	RV(p11->C_SignUpdate(s, msg + 1000, 2000), CKR_OK);
	slen = 0;
	RV(p11->C_SignFinal(s, NULL, &slen), CKR_OK);
	CHECK(slen == 2 * n);
	RV(p11->C_SignFinal(s, sig, &slen), CKR_OK);
	if (!verify_all(s, k, msg, sizeof msg, sig, slen))
		fail_at(__FILE__, __LINE__, "%s: multi-part signature does not verify", k->name);
	with.pParameter = (void *)other;
	RV(p11->C_SignInit(s, &with, k->priv), CKR_MECHANISM_PARAM_INVALID);
	with.pParameter = NULL;
	with.ulParameterLen = 0;
}

static void sign_errors(CK_SESSION_HANDLE s)
{
	CK_MECHANISM raw = { CKM_GOSTR3410, NULL, 0 }, raw512 = { CKM_GOSTR3410_512, NULL, 0 };
	CK_MECHANISM with = { CKM_GOSTR3410_WITH_GOSTR3411_12_256, NULL, 0 }, rsa = { CKM_RSA_PKCS, NULL, 0 };
	CK_MECHANISM digest = { CKM_GOSTR3411_12_256, NULL, 0 };
	unsigned char dg[32] = { 7 }, sig[128];
	CK_ULONG slen;

	RV(p11->C_SignInit(s, &raw, key512.priv), CKR_KEY_TYPE_INCONSISTENT);
	RV(p11->C_SignInit(s, &raw512, key256.priv), CKR_KEY_TYPE_INCONSISTENT);
	RV(p11->C_SignInit(s, &raw, key256.pub), CKR_KEY_TYPE_INCONSISTENT);
	RV(p11->C_SignInit(s, &rsa, key256.priv), CKR_MECHANISM_INVALID);
	RV(p11->C_SignInit(s, &digest, key256.priv), CKR_MECHANISM_INVALID);
	RV(p11->C_SignInit(s, &raw, 999999), CKR_KEY_HANDLE_INVALID);
	RV(p11->C_SignInit(999999, &raw, key256.priv), CKR_SESSION_HANDLE_INVALID);
	slen = sizeof sig;
	RV(p11->C_Sign(s, dg, 32, sig, &slen), CKR_OPERATION_NOT_INITIALIZED);

	/* PKCS#11 §5.2: a length query and a short buffer keep the operation */
	RV(p11->C_SignInit(s, &raw, key256.priv), CKR_OK);
	RV(p11->C_SignInit(s, &raw, key256.priv), CKR_OPERATION_ACTIVE);
	slen = 0;
	RV(p11->C_Sign(s, dg, 32, NULL, &slen), CKR_OK);
	CHECK(slen == 64);
	slen = 10;
	RV(p11->C_Sign(s, dg, 32, sig, &slen), CKR_BUFFER_TOO_SMALL);
	CHECK(slen == 64);
	slen = sizeof sig;
	RV(p11->C_Sign(s, dg, 32, sig, &slen), CKR_OK);
	CHECK(slen == 64);
	RV(p11->C_Sign(s, dg, 32, sig, &slen), CKR_OPERATION_NOT_INITIALIZED);

	/* a raw signature takes exactly one digest, in one part */
	RV(p11->C_SignInit(s, &raw, key256.priv), CKR_OK);
	RV(p11->C_Sign(s, dg, 31, sig, &slen), CKR_DATA_LEN_RANGE);
	RV(p11->C_Sign(s, dg, 32, sig, &slen), CKR_OPERATION_NOT_INITIALIZED);
	RV(p11->C_SignInit(s, &raw, key256.priv), CKR_OK);
	RV(p11->C_SignUpdate(s, dg, 32), CKR_MECHANISM_INVALID);
	RV(p11->C_SignInit(s, &raw, key256.priv), CKR_OK);
	RV(p11->C_SignFinal(s, sig, &slen), CKR_MECHANISM_INVALID);
	raw.pParameter = dg; /* CKM_GOSTR3410 has no parameter */
	raw.ulParameterLen = 1;
	RV(p11->C_SignInit(s, &raw, key256.priv), CKR_MECHANISM_PARAM_INVALID);
	raw.pParameter = NULL;
	raw.ulParameterLen = 0;
	/* C_Sign cannot end a multi-part operation */
	slen = sizeof sig;
	RV(p11->C_SignInit(s, &with, key256.priv), CKR_OK);
	RV(p11->C_SignUpdate(s, dg, 32), CKR_OK);
	RV(p11->C_Sign(s, dg, 32, sig, &slen), CKR_OPERATION_ACTIVE);
	slen = 10;
	RV(p11->C_SignFinal(s, sig, &slen), CKR_BUFFER_TOO_SMALL);
	CHECK(slen == 64);
	RV(p11->C_SignFinal(s, sig, &slen), CKR_OK);
	/* logging out ends signing */
	RV(p11->C_SignInit(s, &raw, key256.priv), CKR_OK);
	RV(p11->C_Logout(s), CKR_OK);
	slen = sizeof sig;
	RV(p11->C_Sign(s, dg, 32, sig, &slen), CKR_OPERATION_NOT_INITIALIZED);
	login_user(s);
}

static void digests(CK_SESSION_HANDLE s)
{
	/* FACTS §1.3: RFC 6986 M1 and the empty message, wire order */
	static const unsigned char m1_256[] = { 0x9d, 0x15, 0x1e, 0xef, 0xd8, 0x59, 0x0b, 0x89, 0xda, 0xa6, 0xba,
		0x6c, 0xb7, 0x4a, 0xf9, 0x27, 0x5d, 0xd0, 0x51, 0x02, 0x6b, 0xb1, 0x49, 0xa4, 0x52, 0xfd,
		0x84, 0xe5, 0xe5, 0x7b, 0x55, 0x00 };
	static const unsigned char empty_256[] = { 0x3f, 0x53, 0x9a, 0x21, 0x3e, 0x97, 0xc8, 0x02, 0xcc, 0x22,
		0x9d, 0x47, 0x4c, 0x6a, 0xa3, 0x2a, 0x82, 0x5a, 0x36, 0x0b, 0x2a, 0x93, 0x3a, 0x94, 0x9f,
		0xd9, 0x25, 0x20, 0x8d, 0x9c, 0xe1, 0xbb };
	const char *m1 = "012345678901234567890123456789012345678901234567890123456789012";
	CK_MECHANISM d256 = { CKM_GOSTR3411_12_256, NULL, 0 }, d512 = { CKM_GOSTR3411_12_512, NULL, 0 };
	CK_MECHANISM bad = { CKM_GOSTR3410, NULL, 0 };
	unsigned char out[64], want[64], big[5000];
	CK_ULONG len, i;

	RV(p11->C_DigestInit(s, &d256), CKR_OK);
	len = sizeof out;
	RV(p11->C_Digest(s, (CK_BYTE_PTR)m1, 63, out, &len), CKR_OK);
	CHECK(len == 32 && memcmp(out, m1_256, 32) == 0);
	RV(p11->C_DigestInit(s, &d256), CKR_OK);
	len = sizeof out;
	RV(p11->C_Digest(s, NULL, 0, out, &len), CKR_OK);
	CHECK(len == 32 && memcmp(out, empty_256, 32) == 0);

	for (i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i ^ (i >> 8));
	RV(p11->C_DigestInit(s, &d512), CKR_OK);
	RV(p11->C_DigestInit(s, &d512), CKR_OPERATION_ACTIVE);
	len = 0;
	RV(p11->C_Digest(s, big, sizeof big, NULL, &len), CKR_OK);
	CHECK(len == 64);
	len = 63;
	RV(p11->C_Digest(s, big, sizeof big, out, &len), CKR_BUFFER_TOO_SMALL);
	CHECK(len == 64);
	RV(p11->C_Digest(s, big, sizeof big, out, &len), CKR_OK);
	ossl_streebog(512, big, sizeof big, want);
	CHECK(memcmp(out, want, 64) == 0);

	d256.pParameter = (void *)oid_h256; /* with the digest OID as parameter */
	d256.ulParameterLen = sizeof oid_h256;
	RV(p11->C_DigestInit(s, &d256), CKR_OK);
	RV(p11->C_DigestUpdate(s, big, 100), CKR_OK);
	RV(p11->C_DigestUpdate(s, big + 100, sizeof big - 100), CKR_OK);
	len = sizeof out;
	RV(p11->C_DigestFinal(s, out, &len), CKR_OK);
	ossl_streebog(256, big, sizeof big, want);
	CHECK(len == 32 && memcmp(out, want, 32) == 0);
	RV(p11->C_DigestFinal(s, out, &len), CKR_OPERATION_NOT_INITIALIZED);
	d256.pParameter = (void *)oid_h512;
	RV(p11->C_DigestInit(s, &d256), CKR_MECHANISM_PARAM_INVALID);
	RV(p11->C_DigestInit(s, &bad), CKR_MECHANISM_INVALID);
}

/* ---- two threads signing on two sessions ---- */

struct worker {
	CK_SESSION_HANDLE s;
	const struct key *k;
	int rounds, good;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	CK_MECHANISM with = { w->k->bits == 256 ? CKM_GOSTR3410_WITH_GOSTR3411_12_256
						: CKM_GOSTR3410_WITH_GOSTR3411_12_512, NULL, 0 };
	unsigned char msg[64], sig[128];
	CK_ULONG slen;
	int i;

	for (i = 0; i < w->rounds; i++) {
		snprintf((char *)msg, sizeof msg, "session %lu message %d", (unsigned long)w->s, i);
		if (i % 2 == 0) {
			w->good += sign_and_verify_raw(w->s, w->k, msg, strlen((char *)msg));
			continue;
		}
		slen = sizeof sig;
		if (p11->C_SignInit(w->s, &with, w->k->priv) == CKR_OK &&
		    p11->C_SignUpdate(w->s, msg, 5) == CKR_OK &&
		    p11->C_SignUpdate(w->s, msg + 5, strlen((char *)msg) - 5) == CKR_OK &&
		    p11->C_SignFinal(w->s, sig, &slen) == CKR_OK &&
		    verify_all(w->s, w->k, msg, strlen((char *)msg), sig, slen))
			w->good++;
	}
	return NULL;
}

static void concurrency(void)
{
	struct worker w[3];
	pthread_t th[3];
	int i;

	for (i = 0; i < 3; i++) {
		w[i] = (struct worker){ open_session(0, 0), i == 2 ? &key512 : &key256, 40, 0 };
		CHECK(pthread_create(&th[i], NULL, work, &w[i]) == 0);
	}
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		if (w[i].good != w[i].rounds)
			fail_at(__FILE__, __LINE__, "thread %d: %d of %d signatures good", i, w[i].good, w[i].rounds);
		RV(p11->C_CloseSession(w[i].s), CKR_OK);
	}
}

void test_sign(void)
{
	CK_SESSION_HANDLE s = open_session(0, 0), pub;

	login_user(s);
	key_refind(s, &key256);
	key_refind(s, &keycp);
	key_refind(s, &key512);
	sign_mechanisms(s, &key256);
	sign_mechanisms(s, &keycp);
	sign_mechanisms(s, &key512);
	sign_errors(s);
	concurrency();
	RV(p11->C_CloseSession(s), CKR_OK);

	/* digests need no login */
	pub = open_session(0, 0);
	digests(pub);
	RV(p11->C_CloseSession(pub), CKR_OK);
}
