/*
 * gosttoken: a PKCS#11 v2.40 test token with GOST R 34.10-2012 keys, over
 * OpenSSL 3 and its GOST engine.  NOT secure storage: see ../README.md.
 *
 * Internal declarations shared by the source files:
 *   main.c     module entry, C_Initialize/C_Finalize, function list, stubs
 *   slot.c     slots and tokens, mechanisms, C_InitToken, token presence
 *   session.c  sessions, login, PINs and the retry counter
 *   object.c   objects, attributes, C_FindObjects*, C_CreateObject
 *   crypto.c   the engine, key generation, signing, digests, random
 *   storage.c  files under GOSTTOKEN_DIR (atomic writes)
 *
 * Locking: one module-wide mutex (gt_lock) guards every structure below.
 * Hashing and signing run outside it on objects the thread owns for the
 * time of the call, so several sessions sign in parallel.
 */
#ifndef GOSTTOKEN_H
#define GOSTTOKEN_H

#include <pthread.h>
#include <stddef.h>

#include <openssl/engine.h>
#include <openssl/evp.h>

#include <p11-kit/pkcs11.h> /* PKCS#11 v2.40 declarations (Debian libp11-kit-dev) */

/* TC26 vendor extension, FACTS §5.2 (not in the standard header). */
#define CKK_GOSTR3410_512                   0xD4321003UL
#define CKM_GOSTR3410_512_KEY_PAIR_GEN      0xD4321005UL
#define CKM_GOSTR3410_512                   0xD4321006UL
#define CKM_GOSTR3410_WITH_GOSTR3411_12_256 0xD4321008UL
#define CKM_GOSTR3410_WITH_GOSTR3411_12_512 0xD4321009UL
#define CKM_GOSTR3411_12_256                0xD4321012UL
#define CKM_GOSTR3411_12_512                0xD4321013UL

#define GT_MAX_SLOTS    16
#define GT_MAX_SESSIONS 256 /* per token */
#define GT_MIN_PIN      4
#define GT_MAX_PIN      64
#define GT_PIN_TRIES    3   /* wrong user PINs before the PIN locks */
#define GT_POLL_MS      10  /* session calls look for the "removed" file at most this often */
#define GT_PATH         4096 /* GOSTTOKEN_DIR */
#define GT_FILE         (GT_PATH + 512) /* any file under it */

struct gt_attr {
	CK_ATTRIBUTE_TYPE type;
	CK_BYTE *val;
	CK_ULONG len;
};

struct gt_object {
	CK_OBJECT_HANDLE handle;
	CK_SESSION_HANDLE owner; /* 0: token object, else the session owning it */
	long num;                /* file number of a token object (objects/NNNNNN.*) */
	struct gt_attr *attrs;
	size_t nattrs;
	EVP_PKEY *pkey;          /* private keys only */
	struct gt_object *next;
};

struct gt_slot {
	CK_SLOT_ID id;
	char dir[GT_PATH + 32];
	int present;  /* token present at the last look (no "removed" file) */
	long long looked_ms; /* CLOCK_MONOTONIC_COARSE of the last look, for gt_slot_poll */
	unsigned gen; /* bumped at every removal: older sessions are dead */
	/* Token state, loaded from dir/token while present. */
	int initialized;
	CK_UTF8CHAR label[32];
	char serial[17];
	unsigned char so_salt[16], so_hash[32];
	int user_pin_set;
	unsigned char user_salt[16], user_hash[32];
	int user_fails;
	int logged_in;       /* 0, or 1 with login_type */
	CK_USER_TYPE login_type;
	struct gt_object *objects; /* token objects by file number, then session objects */
	long next_num;
};

/* An active sign or digest operation.  busy: a thread hashes outside the lock. */
struct gt_op {
	int active, busy, multipart;
	CK_MECHANISM_TYPE mech;
	EVP_PKEY *pkey; /* sign: a reference to the key */
	EVP_MD_CTX *md; /* digest, and sign with hashing mechanisms */
};

struct gt_find {
	int active;
	CK_OBJECT_HANDLE *handles;
	size_t n, pos;
};

struct gt_session {
	CK_SESSION_HANDLE handle;
	struct gt_slot *slot;
	unsigned gen; /* slot->gen when opened */
	CK_FLAGS flags;
	struct gt_find find;
	struct gt_op sign, digest;
	struct gt_session *next;
};

struct gt_module {
	int initialized;
	char root[GT_PATH];
	struct gt_slot slots[GT_MAX_SLOTS];
	size_t nslots;
	struct gt_session *sessions;
	CK_ULONG next_session, next_object;
	int protected_auth, wrap_pubkey;
	ENGINE *engine;
};

extern struct gt_module gt;

/* main.c: take the lock and check C_Initialize was called; gt_leave unlocks. */
CK_RV gt_enter(void);
void gt_leave(void);
void gt_pad(CK_UTF8CHAR *dst, size_t n, const char *src);

/* slot.c */
CK_RV gt_slot_get(CK_SLOT_ID id, struct gt_slot **out); /* refreshed, may be absent */
void gt_slot_refresh(struct gt_slot *s);
void gt_slot_poll(struct gt_slot *s); /* gt_slot_refresh at most every GT_POLL_MS */
void gt_slot_unload(struct gt_slot *s);

/* session.c */
CK_RV gt_session_get(CK_SESSION_HANDLE h, struct gt_session **out);
struct gt_session *gt_session_find(CK_SESSION_HANDLE h); /* any state, no checks */
int gt_user_logged_in(const struct gt_slot *s);
void gt_op_release(struct gt_op *op);
void gt_session_free(struct gt_session *s);

/* object.c */
struct gt_object *gt_object_new(void);
void gt_object_free(struct gt_object *o);
void gt_object_link(struct gt_slot *slot, struct gt_object *o);
void gt_object_unlink(struct gt_slot *slot, struct gt_object *o);
const struct gt_attr *gt_attr_get(const struct gt_object *o, CK_ATTRIBUTE_TYPE t);
int gt_attr_set(struct gt_object *o, CK_ATTRIBUTE_TYPE t, const void *v, CK_ULONG len);
int gt_attr_bool(const struct gt_object *o, CK_ATTRIBUTE_TYPE t);
CK_ULONG gt_attr_ulong(const struct gt_object *o, CK_ATTRIBUTE_TYPE t, CK_ULONG dflt);
CK_RV gt_object_get(struct gt_session *s, CK_OBJECT_HANDLE h, struct gt_object **out);
CK_RV gt_template_apply(struct gt_object *o, const CK_ATTRIBUTE *t, CK_ULONG n);
CK_RV gt_object_store(struct gt_session *s, struct gt_object *o);
void gt_session_objects_drop(struct gt_slot *slot, CK_SESSION_HANDLE owner, int private_only);

/* crypto.c */
CK_RV gt_crypto_init(void);
void gt_crypto_fini(void);
CK_RV gt_sha256(const void *a, size_t alen, const void *b, size_t blen, unsigned char out[32]);
int gt_random(void *buf, size_t n);

/* storage.c */
int gt_mkdir(const char *path);
int gt_write_atomic(const char *path, const void *data, size_t len);
int gt_read_file(const char *path, unsigned char **data, size_t *len);
int gt_token_load(struct gt_slot *s); /* creates an uninitialised token if none */
int gt_token_save(const struct gt_slot *s);
int gt_objects_load(struct gt_slot *s);
int gt_object_save(struct gt_slot *s, struct gt_object *o);
void gt_object_remove_files(const struct gt_slot *s, const struct gt_object *o);
void gt_objects_remove_all(const struct gt_slot *s);

#endif
