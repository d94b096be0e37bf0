/* gosttoken tests: shared declarations (harness, PKCS#11 helpers, OpenSSL checks). */
#ifndef GOSTTOKEN_TEST_H
#define GOSTTOKEN_TEST_H

#include <stddef.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <p11-kit/pkcs11.h>

#define CKK_GOSTR3410_512                   0xD4321003UL
#define CKM_GOSTR3410_512_KEY_PAIR_GEN      0xD4321005UL
#define CKM_GOSTR3410_512                   0xD4321006UL
#define CKM_GOSTR3410_WITH_GOSTR3411_12_256 0xD4321008UL
#define CKM_GOSTR3410_WITH_GOSTR3411_12_512 0xD4321009UL
#define CKM_GOSTR3411_12_256                0xD4321012UL
#define CKM_GOSTR3411_12_512                0xD4321013UL

#define SO_PIN   "87654321"
#define USER_PIN "12345678"

/* ---- harness (main.c) ---- */
extern CK_FUNCTION_LIST *p11;
extern char test_dir[];
extern int failures;
const char *rv_name(CK_RV rv);
void fail_at(const char *file, int line, const char *fmt, ...);

#define CHECK(cond) \
	do { if (!(cond)) fail_at(__FILE__, __LINE__, "%s", #cond); } while (0)
#define RV(call, want) \
	do { CK_RV r_ = (call), w_ = (want); \
	     if (r_ != w_) fail_at(__FILE__, __LINE__, "%s = %s, want %s", #call, rv_name(r_), rv_name(w_)); \
	} while (0)

/* Reload the module's state with the environment as it is now. */
void reinit(void);
CK_SESSION_HANDLE open_session(CK_SLOT_ID slot, int rw);
void login_user(CK_SESSION_HANDLE s);
CK_ULONG find(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out, CK_ULONG max);
CK_ULONG token_flags(CK_SLOT_ID slot);
/* Reads one attribute into a malloc'd buffer (NULL if not readable). */
unsigned char *get_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, CK_ULONG *len);

/* ---- OpenSSL, independent of the module (ossl.c) ---- */
void ossl_init(void);
void ossl_fini(void);
/* The SubjectPublicKeyInfo of FACTS §4.1 from CKA_GOSTR3410_PARAMS and CKA_VALUE. */
EVP_PKEY *ossl_pubkey(const unsigned char *params, size_t plen, const unsigned char *value, size_t vlen);
void ossl_streebog(int bits, const void *msg, size_t len, unsigned char *out);
int ossl_verify_digest(EVP_PKEY *pub, const unsigned char *dg, size_t dlen, const unsigned char *sig, size_t slen);
int ossl_verify_message(EVP_PKEY *pub, int bits, const void *msg, size_t mlen, const unsigned char *sig, size_t slen);
/* GOST R 34.10-2012 verification written out from FACTS §2.1 (only the curve comes from OpenSSL). */
int math_verify(EVP_PKEY *curve, const unsigned char *value, size_t vlen, const unsigned char *dg,
		size_t dlen, const unsigned char *sig, size_t slen);
/* A certificate for pub issued by a software CA key; DER in *der (OPENSSL_free). */
X509 *ossl_make_cert(EVP_PKEY *pub, unsigned char **der, int *derlen);
int ossl_self_check(void);

/* ---- test groups ---- */
void test_module(void);   /* test_token.c: initialisation, slots, token info, mechanisms */
void test_pins(void);
void test_removal(void);
void test_options(void);
void test_keys(void);     /* test_keys.c: keygen, objects, attributes, certificates */
void test_sign(void);     /* test_sign.c: signing, digests, buffers, concurrency */

/* Keys made by test_keys and used later (handles valid until reinit). */
struct key {
	const char *name;
	int bits;
	unsigned char id;
	CK_OBJECT_HANDLE pub, priv;
	unsigned char params[16];
	size_t plen;
};
extern struct key key256, keycp, key512;
/* Looks the handles up again after a reinit. */
void key_refind(CK_SESSION_HANDLE s, struct key *k);
/* Signs a digest with CKM_GOSTR3410(_512) and checks it three ways; returns 1 if all pass. */
int sign_and_verify_raw(CK_SESSION_HANDLE s, const struct key *k, const void *msg, size_t len);

#endif
