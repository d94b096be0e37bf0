/*
 * Cryptography, all of it done by OpenSSL's GOST engine: key generation,
 * signing (CKM_GOSTR3410, CKM_GOSTR3410_512 and the WITH_GOSTR3411_12
 * mechanisms), Streebog digests, random numbers.
 *
 * Byte forms (FACTS §5.3): CKM_GOSTR3410(_512) takes the 32/64-byte
 * Streebog digest in wire order, exactly what the engine's EVP_PKEY_sign
 * takes (it reads the digest as a little-endian number), and returns
 * BE(s)||BE(r), exactly the engine's output.  Public key CKA_VALUE is
 * LE(x)||LE(y), the content of the SubjectPublicKeyInfo OCTET STRING.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "gosttoken.h"

enum { OP_SIGN, OP_DIGEST };

static const EVP_MD *streebog256, *streebog512;

static const unsigned char oid_streebog256[] = { 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02 };
static const unsigned char oid_streebog512[] = { 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03 };

/* Parameter sets (FACTS §3.1) and the engine's "paramset" names for them. */
static const struct {
	const char *oid;
	int bits;
	const char *engine_name;
} paramsets[] = {
	{ "1.2.643.2.2.35.0", 256, "0" },      /* CryptoPro test */
	{ "1.2.643.2.2.35.1", 256, "A" },      /* CryptoPro-A */
	{ "1.2.643.2.2.35.2", 256, "B" },      /* CryptoPro-B */
	{ "1.2.643.2.2.35.3", 256, "C" },      /* CryptoPro-C */
	{ "1.2.643.2.2.36.0", 256, "XA" },     /* CryptoPro-XchA */
	{ "1.2.643.2.2.36.1", 256, "XB" },     /* CryptoPro-XchB */
	{ "1.2.643.7.1.2.1.1.1", 256, "TCA" }, /* tc26-256-A */
	{ "1.2.643.7.1.2.1.1.2", 256, "TCB" }, /* tc26-256-B */
	{ "1.2.643.7.1.2.1.1.3", 256, "TCC" }, /* tc26-256-C */
	{ "1.2.643.7.1.2.1.1.4", 256, "TCD" }, /* tc26-256-D */
	{ "1.2.643.7.1.2.1.2.0", 512, "1.2.643.7.1.2.1.2.0" }, /* tc26-512-test */
	{ "1.2.643.7.1.2.1.2.1", 512, "A" },   /* tc26-512-A */
	{ "1.2.643.7.1.2.1.2.2", 512, "B" },   /* tc26-512-B */
	{ "1.2.643.7.1.2.1.2.3", 512, "C" },   /* tc26-512-C */
};

CK_RV gt_crypto_init(void)
{
	ENGINE *e = ENGINE_by_id("gost");
	if (!e || !ENGINE_init(e)) {
		fprintf(stderr, "gosttoken: cannot load the OpenSSL GOST engine "
				"(Debian package libengine-gost-openssl)\n");
		ENGINE_free(e);
		ERR_clear_error();
		return CKR_GENERAL_ERROR;
	}
	/* Needed to read GOST keys back from PKCS#8. */
	ENGINE_register_pkey_asn1_meths(e);
	ENGINE_register_pkey_meths(e);
	streebog256 = ENGINE_get_digest(e, NID_id_GostR3411_2012_256);
	streebog512 = ENGINE_get_digest(e, NID_id_GostR3411_2012_512);
	if (!streebog256 || !streebog512) {
		fprintf(stderr, "gosttoken: the GOST engine has no Streebog\n");
		ENGINE_finish(e);
		ENGINE_free(e);
		return CKR_GENERAL_ERROR;
	}
	gt.engine = e;
	return CKR_OK;
}

void gt_crypto_fini(void)
{
	if (gt.engine) {
		ENGINE_finish(gt.engine);
		ENGINE_free(gt.engine);
		gt.engine = NULL;
	}
}

int gt_random(void *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1;
}

CK_RV gt_sha256(const void *a, size_t alen, const void *b, size_t blen, unsigned char out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, a, alen) &&
		 EVP_DigestUpdate(c, b, blen) && EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	return ok ? CKR_OK : CKR_FUNCTION_FAILED;
}

/* ---- key generation ---- */

static int oid_text(const CK_BYTE *der, CK_ULONG len, char *out, size_t n)
{
	const unsigned char *p = der;
	ASN1_OBJECT *o = d2i_ASN1_OBJECT(NULL, &p, (long)len);
	int ok = o && p == der + len && OBJ_obj2txt(out, (int)n, o, 1) > 0;
	ASN1_OBJECT_free(o);
	ERR_clear_error();
	return ok;
}

static EVP_PKEY *keygen(int bits, const char *engine_name)
{
	int nid = bits == 256 ? NID_id_GostR3410_2012_256 : NID_id_GostR3410_2012_512;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(nid, gt.engine);
	EVP_PKEY *k = NULL;
	if (!c || EVP_PKEY_keygen_init(c) <= 0 ||
	    EVP_PKEY_CTX_ctrl_str(c, "paramset", engine_name) <= 0 || EVP_PKEY_keygen(c, &k) <= 0)
		k = NULL;
	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return k;
}

/* LE(x)||LE(y): the OCTET STRING inside the SubjectPublicKeyInfo BIT STRING. */
static int public_value(EVP_PKEY *k, int bits, unsigned char *out)
{
	X509_PUBKEY *xp = NULL;
	ASN1_OCTET_STRING *os = NULL;
	const unsigned char *pk;
	int pklen, ok = 0;

	if (X509_PUBKEY_set(&xp, k) && X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, xp) &&
	    (os = d2i_ASN1_OCTET_STRING(NULL, &pk, pklen)) && os->length == bits / 4) {
		memcpy(out, os->data, (size_t)os->length);
		ok = 1;
	}
	ASN1_OCTET_STRING_free(os);
	X509_PUBKEY_free(xp);
	ERR_clear_error();
	return ok;
}

static int key_defaults(struct gt_object *o, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, CK_MECHANISM_TYPE m)
{
	static const CK_BBOOL t = CK_TRUE, f = CK_FALSE;
	static const CK_ATTRIBUTE_TYPE pub_true[] = { CKA_LOCAL, CKA_VERIFY };
	static const CK_ATTRIBUTE_TYPE pub_false[] = { CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE,
		CKA_ENCRYPT, CKA_WRAP, CKA_DERIVE, CKA_TRUSTED, CKA_VERIFY_RECOVER };
	static const CK_ATTRIBUTE_TYPE priv_true[] = { CKA_LOCAL, CKA_PRIVATE, CKA_SIGN,
		CKA_SENSITIVE, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE };
	static const CK_ATTRIBUTE_TYPE priv_false[] = { CKA_TOKEN, CKA_MODIFIABLE, CKA_DECRYPT,
		CKA_UNWRAP, CKA_DERIVE, CKA_SIGN_RECOVER, CKA_EXTRACTABLE, CKA_ALWAYS_AUTHENTICATE };
	int pub = cls == CKO_PUBLIC_KEY, ok = 1;
	size_t i, nt = pub ? 2 : 6, nf = 8;

	for (i = 0; i < nt; i++)
		ok &= gt_attr_set(o, pub ? pub_true[i] : priv_true[i], &t, 1);
	for (i = 0; i < nf; i++)
		ok &= gt_attr_set(o, pub ? pub_false[i] : priv_false[i], &f, 1);
	return ok && gt_attr_set(o, CKA_CLASS, &cls, sizeof cls) &&
	       gt_attr_set(o, CKA_KEY_TYPE, &kt, sizeof kt) &&
	       gt_attr_set(o, CKA_KEY_GEN_MECHANISM, &m, sizeof m);
}

/* An attribute from either template (public first), copied to both objects. */
static CK_RV share_attr(struct gt_object *pub, struct gt_object *priv, CK_ATTRIBUTE_TYPE t,
			const void *dflt, CK_ULONG dlen)
{
	const struct gt_attr *a = gt_attr_get(pub, t), *b = gt_attr_get(priv, t);
	if (a && b)
		return a->len == b->len && memcmp(a->val, b->val, a->len) == 0 ? CKR_OK
										: CKR_TEMPLATE_INCONSISTENT;
	if (a)
		return gt_attr_set(priv, t, a->val, a->len) ? CKR_OK : CKR_HOST_MEMORY;
	if (b)
		return gt_attr_set(pub, t, b->val, b->len) ? CKR_OK : CKR_HOST_MEMORY;
	if (dflt && (!gt_attr_set(pub, t, dflt, dlen) || !gt_attr_set(priv, t, dflt, dlen)))
		return CKR_HOST_MEMORY;
	return CKR_OK;
}

static CK_RV check_key_templates(struct gt_object *pub, struct gt_object *priv, CK_KEY_TYPE kt,
				 int bits, const char **engine_name)
{
	const struct gt_attr *p;
	char oid[64];
	size_t i;
	CK_RV rv;

	if (gt_attr_get(pub, CKA_VALUE) || gt_attr_get(priv, CKA_VALUE))
		return CKR_ATTRIBUTE_READ_ONLY;
	if (gt_attr_ulong(pub, CKA_CLASS, 0) != CKO_PUBLIC_KEY ||
	    gt_attr_ulong(priv, CKA_CLASS, 0) != CKO_PRIVATE_KEY ||
	    gt_attr_ulong(pub, CKA_KEY_TYPE, 0) != kt || gt_attr_ulong(priv, CKA_KEY_TYPE, 0) != kt)
		return CKR_TEMPLATE_INCONSISTENT;
	/* This token keeps private keys inside. */
	if (!gt_attr_bool(priv, CKA_SENSITIVE) || gt_attr_bool(priv, CKA_EXTRACTABLE))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (!gt_attr_get(pub, CKA_GOSTR3410_PARAMS) && !gt_attr_get(priv, CKA_GOSTR3410_PARAMS))
		return CKR_TEMPLATE_INCOMPLETE;
	if ((rv = share_attr(pub, priv, CKA_GOSTR3410_PARAMS, NULL, 0)) != CKR_OK)
		return rv;
	p = gt_attr_get(pub, CKA_GOSTR3410_PARAMS);
	*engine_name = NULL;
	if (oid_text(p->val, p->len, oid, sizeof oid))
		for (i = 0; i < sizeof paramsets / sizeof paramsets[0]; i++)
			if (paramsets[i].bits == bits && !strcmp(paramsets[i].oid, oid))
				*engine_name = paramsets[i].engine_name;
	if (!*engine_name)
		return CKR_DOMAIN_PARAMS_INVALID;
	if ((rv = share_attr(pub, priv, CKA_GOSTR3411_PARAMS, bits == 256 ? oid_streebog256 : oid_streebog512,
			     sizeof oid_streebog256)) != CKR_OK)
		return rv;
	p = gt_attr_get(pub, CKA_GOSTR3411_PARAMS);
	if (p->len != sizeof oid_streebog256 ||
	    memcmp(p->val, bits == 256 ? oid_streebog256 : oid_streebog512, p->len) != 0)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return CKR_OK;
}

CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			CK_ATTRIBUTE_PTR pPubT, CK_ULONG nPub, CK_ATTRIBUTE_PTR pPrivT, CK_ULONG nPriv,
			CK_OBJECT_HANDLE_PTR phPub, CK_OBJECT_HANDLE_PTR phPriv)
{
	struct gt_session *s;
	struct gt_object *pub = NULL, *priv = NULL;
	const char *engine_name;
	unsigned char value[128], id[20];
	CK_KEY_TYPE kt;
	int bits;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK)
		goto out;
	if (!pMechanism || !phPub || !phPriv || (!pPubT && nPub) || (!pPrivT && nPriv)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (pMechanism->mechanism == CKM_GOSTR3410_KEY_PAIR_GEN)
		bits = 256, kt = CKK_GOSTR3410;
	else if (pMechanism->mechanism == CKM_GOSTR3410_512_KEY_PAIR_GEN)
		bits = 512, kt = CKK_GOSTR3410_512;
	else {
		rv = CKR_MECHANISM_INVALID;
		goto out;
	}
	if (pMechanism->pParameter || pMechanism->ulParameterLen) {
		rv = CKR_MECHANISM_PARAM_INVALID;
		goto out;
	}
	if (!gt_user_logged_in(s->slot)) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	if (!(pub = gt_object_new()) || !(priv = gt_object_new()) ||
	    !key_defaults(pub, CKO_PUBLIC_KEY, kt, pMechanism->mechanism) ||
	    !key_defaults(priv, CKO_PRIVATE_KEY, kt, pMechanism->mechanism)) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	if ((rv = gt_template_apply(pub, pPubT, nPub)) != CKR_OK ||
	    (rv = gt_template_apply(priv, pPrivT, nPriv)) != CKR_OK ||
	    (rv = check_key_templates(pub, priv, kt, bits, &engine_name)) != CKR_OK)
		goto out;
	if ((gt_attr_bool(pub, CKA_TOKEN) || gt_attr_bool(priv, CKA_TOKEN)) &&
	    !(s->flags & CKF_RW_SESSION)) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	if (!(priv->pkey = keygen(bits, engine_name)) || !public_value(priv->pkey, bits, value) ||
	    !gt_attr_set(pub, CKA_VALUE, value, (CK_ULONG)bits / 4)) {
		rv = CKR_FUNCTION_FAILED;
		goto out;
	}
	/* No CKA_ID given: SHA-1 of the public key value, as other tokens do. */
	if (!EVP_Digest(value, (size_t)bits / 4, id, NULL, EVP_sha1(), NULL)) {
		rv = CKR_FUNCTION_FAILED;
		goto out;
	}
	if ((rv = share_attr(pub, priv, CKA_ID, id, sizeof id)) != CKR_OK ||
	    (rv = share_attr(pub, priv, CKA_LABEL, "", 0)) != CKR_OK)
		goto out;
	if ((rv = gt_object_store(s, pub)) != CKR_OK)
		goto out;
	if ((rv = gt_object_store(s, priv)) != CKR_OK) {
		if (!pub->owner)
			gt_object_remove_files(s->slot, pub);
		gt_object_unlink(s->slot, pub);
		goto out;
	}
	*phPub = pub->handle;
	*phPriv = priv->handle;
	pub = priv = NULL;
out:
	gt_object_free(pub);
	gt_object_free(priv);
	gt_leave();
	return rv;
}

/* ---- operations: sign and digest ---- */

static int mech_bits(CK_MECHANISM_TYPE m)
{
	switch (m) {
	case CKM_GOSTR3410: case CKM_GOSTR3410_WITH_GOSTR3411_12_256: case CKM_GOSTR3411_12_256:
		return 256;
	case CKM_GOSTR3410_512: case CKM_GOSTR3410_WITH_GOSTR3411_12_512: case CKM_GOSTR3411_12_512:
		return 512;
	}
	return 0;
}

/* Hashing mechanisms take no parameter or the DER OID of their digest (as Rutoken's samples pass). */
static CK_RV start_hash(const CK_MECHANISM *m, int bits, EVP_MD_CTX **md)
{
	const unsigned char *oid = bits == 256 ? oid_streebog256 : oid_streebog512;
	if (m->ulParameterLen && (m->ulParameterLen != sizeof oid_streebog256 || !m->pParameter ||
				  memcmp(m->pParameter, oid, sizeof oid_streebog256) != 0))
		return CKR_MECHANISM_PARAM_INVALID;
	if (!(*md = EVP_MD_CTX_new()) ||
	    !EVP_DigestInit_ex(*md, bits == 256 ? streebog256 : streebog512, gt.engine)) {
		EVP_MD_CTX_free(*md);
		*md = NULL;
		ERR_clear_error();
		return CKR_FUNCTION_FAILED;
	}
	return CKR_OK;
}

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	struct gt_session *s;
	struct gt_object *k;
	EVP_MD_CTX *md = NULL;
	int bits;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK)
		goto out;
	if (!pMechanism) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (s->sign.active) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	if (!gt_user_logged_in(s->slot)) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	if ((rv = gt_object_get(s, hKey, &k)) != CKR_OK) {
		if (rv == CKR_OBJECT_HANDLE_INVALID)
			rv = CKR_KEY_HANDLE_INVALID;
		goto out;
	}
	bits = mech_bits(pMechanism->mechanism);
	if (!bits || pMechanism->mechanism == CKM_GOSTR3411_12_256 ||
	    pMechanism->mechanism == CKM_GOSTR3411_12_512) {
		rv = CKR_MECHANISM_INVALID;
		goto out;
	}
	if (!k->pkey || gt_attr_ulong(k, CKA_KEY_TYPE, 0) != (bits == 256 ? CKK_GOSTR3410 : CKK_GOSTR3410_512)) {
		rv = CKR_KEY_TYPE_INCONSISTENT;
		goto out;
	}
	if (!gt_attr_bool(k, CKA_SIGN)) {
		rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
		goto out;
	}
	if (pMechanism->mechanism == CKM_GOSTR3410 || pMechanism->mechanism == CKM_GOSTR3410_512) {
		if (pMechanism->pParameter || pMechanism->ulParameterLen) {
			rv = CKR_MECHANISM_PARAM_INVALID;
			goto out;
		}
	} else if ((rv = start_hash(pMechanism, bits, &md)) != CKR_OK) {
		goto out;
	}
	EVP_PKEY_up_ref(k->pkey);
	s->sign.pkey = k->pkey;
	s->sign.md = md;
	s->sign.mech = pMechanism->mechanism;
	s->sign.active = 1;
out:
	gt_leave();
	return rv;
}

CK_RV C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	struct gt_session *s;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK)
		goto out;
	if (!pMechanism)
		rv = CKR_ARGUMENTS_BAD;
	else if (s->digest.active)
		rv = CKR_OPERATION_ACTIVE;
	else if (pMechanism->mechanism != CKM_GOSTR3411_12_256 &&
		 pMechanism->mechanism != CKM_GOSTR3411_12_512)
		rv = CKR_MECHANISM_INVALID;
	else if ((rv = start_hash(pMechanism, mech_bits(pMechanism->mechanism), &s->digest.md)) == CKR_OK) {
		s->digest.mech = pMechanism->mechanism;
		s->digest.active = 1;
	}
out:
	gt_leave();
	return rv;
}

static struct gt_op *op_of(struct gt_session *s, int which)
{
	return which == OP_SIGN ? &s->sign : &s->digest;
}

/* C_SignUpdate, C_DigestUpdate: hash outside the lock, the operation marked busy. */
static CK_RV op_update(CK_SESSION_HANDLE h, int which, const CK_BYTE *part, CK_ULONG len)
{
	struct gt_session *s;
	struct gt_op *op;
	EVP_MD_CTX *md;
	CK_RV rv;
	int ok;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(h, &s)) != CKR_OK)
		goto out;
	op = op_of(s, which);
	if (!op->active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	if (op->busy) {
		rv = CKR_OPERATION_ACTIVE; /* another thread is in this operation */
		goto out;
	}
	if (!part && len)
		rv = CKR_ARGUMENTS_BAD;
	else if (!op->md)
		rv = CKR_MECHANISM_INVALID; /* raw signatures are single-part */
	else if (which == OP_SIGN && !gt_user_logged_in(s->slot))
		rv = CKR_USER_NOT_LOGGED_IN;
	if (rv != CKR_OK) {
		gt_op_release(op);
		goto out;
	}
	op->busy = op->multipart = 1;
	md = op->md;
	gt_leave();

	ok = EVP_DigestUpdate(md, part, len);

	if ((rv = gt_enter()) != CKR_OK) {
		EVP_MD_CTX_free(md); /* C_Finalize ran meanwhile */
		return rv;
	}
	s = gt_session_find(h);
	op = s ? op_of(s, which) : NULL;
	if (!op || !op->busy || op->md != md) { /* session closed or operation ended meanwhile */
		EVP_MD_CTX_free(md);
		rv = s ? CKR_OPERATION_NOT_INITIALIZED : CKR_SESSION_CLOSED;
		goto out;
	}
	op->busy = 0;
	if (!ok) {
		gt_op_release(op);
		rv = CKR_FUNCTION_FAILED;
	}
out:
	gt_leave();
	return rv;
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return op_update(hSession, OP_SIGN, pPart, ulPartLen);
}

CK_RV C_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return op_update(hSession, OP_DIGEST, pPart, ulPartLen);
}

/*
 * The last call of an operation (C_Sign, C_SignFinal, C_Digest,
 * C_DigestFinal).  Answers a length query (out NULL) or CKR_BUFFER_TOO_SMALL
 * keeping the operation, as PKCS#11 §5.2 says; otherwise moves the
 * operation into *taken, for the caller to finish outside the lock.
 */
static CK_RV op_take(CK_SESSION_HANDLE h, int which, int single, const CK_BYTE *data,
		     CK_ULONG len, CK_BYTE_PTR out, CK_ULONG_PTR outlen, struct gt_op *taken)
{
	struct gt_session *s;
	struct gt_op *op;
	CK_ULONG need;
	CK_RV rv;
	int bits;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(h, &s)) != CKR_OK)
		goto out;
	op = op_of(s, which);
	if (!op->active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	if (op->busy || (single && op->multipart)) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	bits = mech_bits(op->mech);
	need = which == OP_SIGN ? (CK_ULONG)bits / 4 : (CK_ULONG)bits / 8;
	if (!outlen || (!data && len))
		rv = CKR_ARGUMENTS_BAD;
	else if (!single && !op->md)
		rv = CKR_MECHANISM_INVALID;
	else if (which == OP_SIGN && !gt_user_logged_in(s->slot))
		rv = CKR_USER_NOT_LOGGED_IN;
	else if (single && !op->md && len != (CK_ULONG)bits / 8)
		rv = CKR_DATA_LEN_RANGE; /* raw: exactly one digest */
	if (rv != CKR_OK) {
		gt_op_release(op);
		goto out;
	}
	if (!out || *outlen < need) {
		rv = out ? CKR_BUFFER_TOO_SMALL : CKR_OK;
		*outlen = need;
		goto out;
	}
	*outlen = need;
	*taken = *op;
	memset(op, 0, sizeof *op);
out:
	gt_leave();
	return rv;
}

/* Finish a taken operation: hash (data, if any) then sign, or just hash. */
static CK_RV op_finish(struct gt_op *op, int which, const CK_BYTE *data, CK_ULONG len,
		       CK_BYTE_PTR out, CK_ULONG outlen)
{
	unsigned char dg[64];
	const unsigned char *tbs = data;
	size_t tbslen = len, siglen = outlen;
	EVP_PKEY_CTX *c = NULL;
	int ok = 1;

	if (op->md) {
		ok = (!len || EVP_DigestUpdate(op->md, data, len)) &&
		     EVP_DigestFinal_ex(op->md, which == OP_SIGN ? dg : out, NULL);
		tbs = dg;
		tbslen = (size_t)mech_bits(op->mech) / 8;
	}
	if (ok && which == OP_SIGN)
		ok = (c = EVP_PKEY_CTX_new(op->pkey, gt.engine)) && EVP_PKEY_sign_init(c) > 0 &&
		     EVP_PKEY_sign(c, out, &siglen, tbs, tbslen) > 0 && siglen == outlen;
	EVP_PKEY_CTX_free(c);
	op->busy = 0;
	gt_op_release(op);
	if (!ok)
		ERR_clear_error();
	return ok ? CKR_OK : CKR_FUNCTION_FAILED;
}

static CK_RV op_last(CK_SESSION_HANDLE h, int which, int single, const CK_BYTE *data,
		     CK_ULONG len, CK_BYTE_PTR out, CK_ULONG_PTR outlen)
{
	struct gt_op taken;
	CK_RV rv;

	memset(&taken, 0, sizeof taken);
	rv = op_take(h, which, single, data, len, out, outlen, &taken);
	if (rv != CKR_OK || !taken.active)
		return rv;
	return op_finish(&taken, which, data, len, out, *outlen);
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
	     CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	return op_last(hSession, OP_SIGN, 1, pData, ulDataLen, pSignature, pulSignatureLen);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	return op_last(hSession, OP_SIGN, 0, NULL, 0, pSignature, pulSignatureLen);
}

CK_RV C_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
	       CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	return op_last(hSession, OP_DIGEST, 1, pData, ulDataLen, pDigest, pulDigestLen);
}

CK_RV C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	return op_last(hSession, OP_DIGEST, 0, NULL, 0, pDigest, pulDigestLen);
}

/* ---- random ---- */

CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pRandom, CK_ULONG ulLen)
{
	struct gt_session *s;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) == CKR_OK) {
		if (!pRandom && ulLen)
			rv = CKR_ARGUMENTS_BAD;
		else if (ulLen && !gt_random(pRandom, ulLen))
			rv = CKR_FUNCTION_FAILED;
	}
	gt_leave();
	return rv;
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
	struct gt_session *s;
	CK_RV rv;

	(void)pSeed;
	(void)ulSeedLen;
	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) == CKR_OK)
		rv = CKR_RANDOM_SEED_NOT_SUPPORTED;
	gt_leave();
	return rv;
}
