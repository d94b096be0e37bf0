/* Key generation on every parameter set, templates, objects and attributes, certificates. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

struct key key256 = { "tc26-256-A", 256, 1, 0, 0, { 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x01 }, 11 };
struct key keycp = { "CryptoPro-A", 256, 2, 0, 0, { 0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01 }, 9 };
struct key key512 = { "tc26-512-A", 512, 3, 0, 0, { 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x01 }, 11 };

static CK_BBOOL yes = CK_TRUE;

/* Every parameter set of FACTS §3.1: DER of the OID, last bytes varying. */
static const struct {
	const char *name;
	int bits;
	unsigned char der[11];
	size_t len;
} sets[] = {
	{ "CryptoPro-Test", 256, { 0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x23, 0x00 }, 9 },
	{ "CryptoPro-A", 256, { 0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01 }, 9 },
	{ "CryptoPro-B", 256, { 0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x23, 0x02 }, 9 },
	{ "CryptoPro-C", 256, { 0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x23, 0x03 }, 9 },
	{ "CryptoPro-XchA", 256, { 0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x24, 0x00 }, 9 },
	{ "CryptoPro-XchB", 256, { 0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x24, 0x01 }, 9 },
	{ "tc26-256-A", 256, { 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x01 }, 11 },
	{ "tc26-256-B", 256, { 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x02 }, 11 },
	{ "tc26-256-C", 256, { 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x03 }, 11 },
	{ "tc26-256-D", 256, { 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x04 }, 11 },
	{ "tc26-512-Test", 512, { 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x00 }, 11 },
	{ "tc26-512-A", 512, { 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x01 }, 11 },
	{ "tc26-512-B", 512, { 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x02 }, 11 },
	{ "tc26-512-C", 512, { 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x03 }, 11 },
};

/* id NULL: no CKA_ID in the templates; params NULL: no CKA_GOSTR3410_PARAMS. */
static CK_RV genkey(CK_SESSION_HANDLE s, int bits, const unsigned char *params, size_t plen,
		    CK_BBOOL token, const unsigned char *id, size_t idlen, const char *label,
		    CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { bits == 256 ? CKM_GOSTR3410_KEY_PAIR_GEN : CKM_GOSTR3410_512_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE pt[5] = {
		{ CKA_TOKEN, &token, 1 }, { CKA_VERIFY, &yes, 1 }, { CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_ATTRIBUTE kt[6] = {
		{ CKA_TOKEN, &token, 1 }, { CKA_PRIVATE, &yes, 1 }, { CKA_SIGN, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 }, { CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_ULONG np = 3, nk = 5;
	if (params)
		pt[np++] = (CK_ATTRIBUTE){ CKA_GOSTR3410_PARAMS, (void *)params, plen };
	if (id) {
		pt[np++] = (CK_ATTRIBUTE){ CKA_ID, (void *)id, idlen };
		kt[nk++] = (CK_ATTRIBUTE){ CKA_ID, (void *)id, idlen };
	}
	return p11->C_GenerateKeyPair(s, &m, pt, np, kt, nk, pub, priv);
}

void key_refind(CK_SESSION_HANDLE s, struct key *k)
{
	CK_OBJECT_CLASS pub = CKO_PUBLIC_KEY, priv = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[2] = { { CKA_CLASS, &pub, sizeof pub }, { CKA_ID, &k->id, 1 } };
	CHECK(find(s, t, 2, &k->pub, 1) == 1);
	t[0].pValue = &priv;
	k->priv = CK_INVALID_HANDLE;
	find(s, t, 2, &k->priv, 1); /* found only when logged in */
}

int sign_and_verify_raw(CK_SESSION_HANDLE s, const struct key *k, const void *msg, size_t len)
{
	CK_MECHANISM m = { k->bits == 256 ? CKM_GOSTR3410 : CKM_GOSTR3410_512, NULL, 0 };
	unsigned char dg[64], sig[128], *v;
	CK_ULONG n = (CK_ULONG)k->bits / 8, slen = sizeof sig, vlen = 0;
	EVP_PKEY *pub;
	int ok;

	ossl_streebog(k->bits, msg, len, dg);
	RV(p11->C_SignInit(s, &m, k->priv), CKR_OK);
	RV(p11->C_Sign(s, dg, n, sig, &slen), CKR_OK);
	if (!(v = get_attr(s, k->pub, CKA_VALUE, &vlen)))
		return 0;
	if (vlen == 2 * n + 2 || vlen == 2 * n + 3) /* GOSTTOKEN_WRAP_PUBKEY */
		memmove(v, v + vlen - 2 * n, 2 * n), vlen = 2 * n;
	pub = ossl_pubkey(k->params, k->plen, v, vlen);
	ok = pub && slen == 2 * n && ossl_verify_digest(pub, dg, n, sig, slen) &&
	     ossl_verify_message(pub, k->bits, msg, len, sig, slen) &&
	     math_verify(pub, v, vlen, dg, n, sig, slen);
	EVP_PKEY_free(pub);
	free(v);
	return ok;
}

static void keygen_errors(CK_SESSION_HANDLE s)
{
	static const unsigned char p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static const unsigned char oid_p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static const unsigned char h512[] = { 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03 };
	CK_MECHANISM m = { CKM_GOSTR3410_KEY_PAIR_GEN, NULL, 0 }, rsa = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_OBJECT_HANDLE a, b;
	unsigned char value[64] = { 0 };
	CK_ATTRIBUTE pt[2] = { { CKA_GOSTR3410_PARAMS, key256.params, key256.plen } };
	CK_ATTRIBUTE kt[1] = { { CKA_EXTRACTABLE, &yes, 1 } };
	CK_SESSION_HANDLE ro;

	RV(genkey(s, 256, oid_p256, sizeof oid_p256, CK_FALSE, (const unsigned char *)"x", 1, "x", &a, &b), CKR_DOMAIN_PARAMS_INVALID);
	RV(genkey(s, 256, p256, sizeof p256, CK_FALSE, (const unsigned char *)"x", 1, "x", &a, &b), CKR_DOMAIN_PARAMS_INVALID);
	RV(genkey(s, 512, key256.params, key256.plen, CK_FALSE, (const unsigned char *)"x", 1, "x", &a, &b), CKR_DOMAIN_PARAMS_INVALID);
	RV(genkey(s, 256, key512.params, key512.plen, CK_FALSE, (const unsigned char *)"x", 1, "x", &a, &b), CKR_DOMAIN_PARAMS_INVALID);
	RV(genkey(s, 256, NULL, 0, CK_FALSE, (const unsigned char *)"x", 1, "x", &a, &b), CKR_TEMPLATE_INCOMPLETE);
	RV(p11->C_GenerateKeyPair(s, &rsa, pt, 1, NULL, 0, &a, &b), CKR_MECHANISM_INVALID);
	pt[1].type = CKA_GOSTR3411_PARAMS, pt[1].pValue = (void *)h512, pt[1].ulValueLen = sizeof h512;
	RV(p11->C_GenerateKeyPair(s, &m, pt, 2, NULL, 0, &a, &b), CKR_ATTRIBUTE_VALUE_INVALID);
	pt[1].type = CKA_VALUE, pt[1].pValue = value, pt[1].ulValueLen = sizeof value;
	RV(p11->C_GenerateKeyPair(s, &m, pt, 2, NULL, 0, &a, &b), CKR_ATTRIBUTE_READ_ONLY);
	RV(p11->C_GenerateKeyPair(s, &m, pt, 1, kt, 1, &a, &b), CKR_ATTRIBUTE_VALUE_INVALID);
	pt[1].type = CKA_TOKEN, pt[1].pValue = &yes, pt[1].ulValueLen = 1;
	ro = open_session(0, 0);
	RV(p11->C_GenerateKeyPair(ro, &m, pt, 2, NULL, 0, &a, &b), CKR_SESSION_READ_ONLY);
	RV(p11->C_CloseSession(ro), CKR_OK);
}

static void check_attrs(CK_SESSION_HANDLE s, const struct key *k)
{
	CK_ULONG len, n = (CK_ULONG)k->bits / 4;
	CK_OBJECT_CLASS cls;
	CK_KEY_TYPE kt;
	CK_BBOOL tok, priv, sign, verify, sens, extr;
	unsigned char small[10], id[8], params[16];
	CK_ATTRIBUTE t[4];
	unsigned char *v;

	v = get_attr(s, k->pub, CKA_VALUE, &len);
	CHECK(v && len == n);
	free(v);
	/* sizes, too small, sensitive, unknown: every entry answered, one error reported */
	t[0] = (CK_ATTRIBUTE){ CKA_VALUE, NULL, 0 };
	RV(p11->C_GetAttributeValue(s, k->pub, t, 1), CKR_OK);
	CHECK(t[0].ulValueLen == n);
	t[0] = (CK_ATTRIBUTE){ CKA_VALUE, small, sizeof small };
	t[1] = (CK_ATTRIBUTE){ CKA_ID, id, sizeof id };
	RV(p11->C_GetAttributeValue(s, k->pub, t, 2), CKR_BUFFER_TOO_SMALL);
	CHECK(t[0].ulValueLen == CK_UNAVAILABLE_INFORMATION);
	CHECK(t[1].ulValueLen == 1 && id[0] == k->id);
	t[0] = (CK_ATTRIBUTE){ CKA_MODULUS, NULL, 0 };
	t[1] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof cls };
	RV(p11->C_GetAttributeValue(s, k->pub, t, 2), CKR_ATTRIBUTE_TYPE_INVALID);
	CHECK(t[0].ulValueLen == CK_UNAVAILABLE_INFORMATION && cls == CKO_PUBLIC_KEY);

	t[0] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &kt, sizeof kt };
	t[1] = (CK_ATTRIBUTE){ CKA_TOKEN, &tok, 1 };
	t[2] = (CK_ATTRIBUTE){ CKA_VERIFY, &verify, 1 };
	t[3] = (CK_ATTRIBUTE){ CKA_GOSTR3410_PARAMS, params, sizeof params };
	RV(p11->C_GetAttributeValue(s, k->pub, t, 4), CKR_OK);
	CHECK(kt == (k->bits == 256 ? CKK_GOSTR3410 : CKK_GOSTR3410_512) && tok && verify);
	CHECK(t[3].ulValueLen == k->plen && memcmp(params, k->params, k->plen) == 0);
	v = get_attr(s, k->pub, CKA_GOSTR3411_PARAMS, &len);
	CHECK(v && len == 10 && v[9] == (k->bits == 256 ? 2 : 3));
	free(v);

	t[0] = (CK_ATTRIBUTE){ CKA_VALUE, small, sizeof small };
	t[1] = (CK_ATTRIBUTE){ CKA_PRIVATE, &priv, 1 };
	t[2] = (CK_ATTRIBUTE){ CKA_SIGN, &sign, 1 };
	t[3] = (CK_ATTRIBUTE){ CKA_SENSITIVE, &sens, 1 };
	RV(p11->C_GetAttributeValue(s, k->priv, t, 4), CKR_ATTRIBUTE_SENSITIVE);
	CHECK(t[0].ulValueLen == CK_UNAVAILABLE_INFORMATION && priv && sign && sens);
	t[0] = (CK_ATTRIBUTE){ CKA_EXTRACTABLE, &extr, 1 };
	t[1] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &kt, sizeof kt };
	t[2] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof cls };
	RV(p11->C_GetAttributeValue(s, k->priv, t, 3), CKR_OK);
	CHECK(!extr && cls == CKO_PRIVATE_KEY && kt == (k->bits == 256 ? CKK_GOSTR3410 : CKK_GOSTR3410_512));
	RV(p11->C_GetAttributeValue(s, 999999, t, 1), CKR_OBJECT_HANDLE_INVALID);
	RV(p11->C_GetAttributeValue(999999, k->pub, t, 1), CKR_SESSION_HANDLE_INVALID);
}

static void test_find(CK_SESSION_HANDLE s)
{
	CK_OBJECT_CLASS priv = CKO_PRIVATE_KEY, pub = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE byclass = { CKA_CLASS, &priv, sizeof priv };
	CK_ATTRIBUTE byid = { CKA_ID, &key512.id, 1 };
	CK_ATTRIBUTE bylabel[2] = { { CKA_LABEL, "k256", 4 }, { CKA_CLASS, &pub, sizeof pub } };
	CK_OBJECT_HANDLE h[8];
	CK_ULONG n, total = 0;
	CK_SESSION_HANDLE ro = open_session(0, 0);

	CHECK(find(s, &byclass, 1, NULL, 0) == 3); /* the token keys; session keys are gone */
	CHECK(find(s, &byid, 1, h, 8) == 2);
	CHECK(find(s, bylabel, 2, h, 8) == 1 && h[0] == key256.pub);
	CHECK(find(s, NULL, 0, NULL, 0) == 6);
	RV(p11->C_FindObjects(s, h, 8, &n), CKR_OPERATION_NOT_INITIALIZED);
	RV(p11->C_FindObjectsFinal(s), CKR_OPERATION_NOT_INITIALIZED);
	RV(p11->C_FindObjectsInit(s, NULL, 0), CKR_OK);
	RV(p11->C_FindObjectsInit(s, NULL, 0), CKR_OPERATION_ACTIVE);
	do { /* one at a time */
		RV(p11->C_FindObjects(s, h, 1, &n), CKR_OK);
		total += n;
	} while (n);
	CHECK(total == 6);
	RV(p11->C_FindObjectsFinal(s), CKR_OK);

	/* Private objects need the user: hidden from find, refused by handle. */
	RV(p11->C_Logout(s), CKR_OK);
	CHECK(find(ro, &byclass, 1, NULL, 0) == 0);
	CHECK(find(ro, NULL, 0, NULL, 0) == 3);
	RV(p11->C_GetAttributeValue(ro, key256.priv, &byid, 1), CKR_USER_NOT_LOGGED_IN);
	{
		CK_MECHANISM m = { CKM_GOSTR3410, NULL, 0 };
		RV(p11->C_SignInit(ro, &m, key256.priv), CKR_USER_NOT_LOGGED_IN);
	}
	login_user(s);
	CHECK(find(ro, &byclass, 1, NULL, 0) == 3); /* the login is the token's, all sessions see it */
	RV(p11->C_CloseSession(ro), CKR_OK);
}

static void test_certificates(CK_SESSION_HANDLE s)
{
	CK_OBJECT_CLASS cert = CKO_CERTIFICATE, data = CKO_DATA;
	CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	unsigned char *der = NULL, *v, *want;
	int derlen = 0, wlen;
	CK_ULONG len;
	CK_OBJECT_HANDLE h, found[4];
	CK_SESSION_HANDLE ro;
	EVP_PKEY *pub;
	X509 *x;
	char path[512];

	v = get_attr(s, key256.pub, CKA_VALUE, &len);
	pub = v ? ossl_pubkey(key256.params, key256.plen, v, len) : NULL;
	free(v);
	x = pub ? ossl_make_cert(pub, &der, &derlen) : NULL;
	EVP_PKEY_free(pub);
	CHECK(x != NULL);
	if (!x)
		return;
	{
		CK_ATTRIBUTE t[] = {
			{ CKA_CLASS, &cert, sizeof cert }, { CKA_CERTIFICATE_TYPE, &x509, sizeof x509 },
			{ CKA_TOKEN, &yes, 1 }, { CKA_ID, &key256.id, 1 }, { CKA_LABEL, "k256", 4 },
			{ CKA_VALUE, der, (CK_ULONG)derlen },
		};
		unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
		CK_ATTRIBUTE find_t[2] = { { CKA_CLASS, &cert, sizeof cert }, { CKA_ID, &key256.id, 1 } };

		ro = open_session(0, 0);
		RV(p11->C_CreateObject(ro, t, 6, &h), CKR_SESSION_READ_ONLY);
		RV(p11->C_CloseSession(ro), CKR_OK);
		RV(p11->C_CreateObject(s, t, 5, &h), CKR_TEMPLATE_INCOMPLETE);
		t[5].pValue = junk, t[5].ulValueLen = sizeof junk;
		RV(p11->C_CreateObject(s, t, 6, &h), CKR_ATTRIBUTE_VALUE_INVALID);
		t[5].pValue = der, t[5].ulValueLen = (CK_ULONG)derlen;
		t[0].pValue = &data;
		RV(p11->C_CreateObject(s, t, 6, &h), CKR_ATTRIBUTE_VALUE_INVALID);
		t[0].pValue = &cert;
		RV(p11->C_CreateObject(s, t, 6, &h), CKR_OK);

		CHECK(find(s, find_t, 2, found, 4) == 1 && found[0] == h);
		v = get_attr(s, h, CKA_VALUE, &len);
		CHECK(v && len == (CK_ULONG)derlen && memcmp(v, der, len) == 0);
		free(v);
		want = NULL;
		wlen = i2d_X509_NAME(X509_get_subject_name(x), &want);
		v = get_attr(s, h, CKA_SUBJECT, &len);
		CHECK(v && len == (CK_ULONG)wlen && memcmp(v, want, len) == 0);
		free(v);
		OPENSSL_free(want);
		want = NULL;
		wlen = i2d_X509_NAME(X509_get_issuer_name(x), &want);
		v = get_attr(s, h, CKA_ISSUER, &len);
		CHECK(v && len == (CK_ULONG)wlen && memcmp(v, want, len) == 0);
		free(v);
		OPENSSL_free(want);
		v = get_attr(s, h, CKA_SERIAL_NUMBER, &len); /* DER INTEGER 0x1234 */
		CHECK(v && len == 4 && v[0] == 0x02 && v[1] == 2 && v[2] == 0x12 && v[3] == 0x34);
		free(v);
		v = get_attr(s, h, CKA_CERTIFICATE_TYPE, &len);
		CHECK(v && len == sizeof(CK_ULONG) && *(CK_ULONG *)v == CKC_X_509);
		free(v);

		/* kept on disk as DER; survives a reload; a second one can be destroyed */
		snprintf(path, sizeof path, "%s/main/slot0/objects/000007.der", test_dir);
		CHECK(access(path, F_OK) == 0);
		reinit();
		s = open_session(0, 1);
		CHECK(find(s, find_t, 2, found, 4) == 1);
		t[3].pValue = &key512.id;
		RV(p11->C_CreateObject(s, t, 6, &h), CKR_OK);
		find_t[1].pValue = &key512.id;
		CHECK(find(s, find_t, 2, found, 4) == 1);
		RV(p11->C_DestroyObject(s, h), CKR_OK);
		RV(p11->C_DestroyObject(s, h), CKR_OBJECT_HANDLE_INVALID);
		CHECK(find(s, find_t, 2, found, 4) == 0);
		RV(p11->C_CloseSession(s), CKR_OK);
		reinit();
		s = open_session(0, 1);
		CHECK(find(s, find_t, 2, found, 4) == 0);
		RV(p11->C_CloseSession(s), CKR_OK);
	}
	X509_free(x);
	OPENSSL_free(der);
}

void test_keys(void)
{
	CK_SESSION_HANDLE s = open_session(0, 1), s2;
	CK_OBJECT_HANDLE pub, priv;
	CK_OBJECT_CLASS pc = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE byclass = { CKA_CLASS, &pc, sizeof pc };
	size_t i;

	RV(genkey(s, 256, key256.params, key256.plen, CK_TRUE, &key256.id, 1, "k256", &pub, &priv),
	   CKR_USER_NOT_LOGGED_IN);
	login_user(s);
	keygen_errors(s);

	/* Every parameter set, as session objects of a second session; each key signs. */
	s2 = open_session(0, 0);
	for (i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		struct key k = { sets[i].name, sets[i].bits, (unsigned char)(0x80 + i), 0, 0, { 0 }, sets[i].len };
		memcpy(k.params, sets[i].der, sets[i].len);
		RV(genkey(s2, k.bits, k.params, k.plen, CK_FALSE, &k.id, 1, k.name, &k.pub, &k.priv), CKR_OK);
		if (!sign_and_verify_raw(s2, &k, sets[i].name, strlen(sets[i].name)))
			fail_at(__FILE__, __LINE__, "%s: signature does not verify", sets[i].name);
	}
	CHECK(find(s, &byclass, 1, NULL, 0) == 14);
	RV(p11->C_CloseSession(s2), CKR_OK); /* its session objects go with it */
	CHECK(find(s, &byclass, 1, NULL, 0) == 0);

	/* The token keys used by the rest of the tests. */
	RV(genkey(s, 256, key256.params, key256.plen, CK_TRUE, &key256.id, 1, "k256", &key256.pub, &key256.priv), CKR_OK);
	RV(genkey(s, 256, keycp.params, keycp.plen, CK_TRUE, &keycp.id, 1, "kcp", &keycp.pub, &keycp.priv), CKR_OK);
	RV(genkey(s, 512, key512.params, key512.plen, CK_TRUE, &key512.id, 1, "k512", &key512.pub, &key512.priv), CKR_OK);
	check_attrs(s, &key256);
	check_attrs(s, &keycp);
	check_attrs(s, &key512);
	test_find(s);
	test_certificates(s); /* reloads the module: s is closed */

	/* Keys read back from disk still sign. */
	s = open_session(0, 1);
	login_user(s);
	key_refind(s, &key256);
	key_refind(s, &keycp);
	key_refind(s, &key512);
	CHECK(sign_and_verify_raw(s, &key256, "reloaded", 8));
	CHECK(sign_and_verify_raw(s, &keycp, "reloaded", 8));
	CHECK(sign_and_verify_raw(s, &key512, "reloaded", 8));
	/* a key can be destroyed; without a key id one is made from the public key */
	RV(genkey(s, 256, key256.params, key256.plen, CK_TRUE, NULL, 0, "tmp", &pub, &priv), CKR_OK);
	{
		CK_ULONG len;
		unsigned char *id = get_attr(s, priv, CKA_ID, &len);
		CHECK(id && len == 20);
		free(id);
	}
	RV(p11->C_DestroyObject(s, priv), CKR_OK);
	RV(p11->C_DestroyObject(s, pub), CKR_OK);
	CHECK(find(s, &byclass, 1, NULL, 0) == 3);
	RV(p11->C_CloseSession(s), CKR_OK);
}
