/* Module initialisation, slots and tokens, PINs, token removal, env options. */
#include <stdlib.h>
#include <string.h>

#include "t.h"

static void set_dir(const char *sub)
{
	char d[512];
	snprintf(d, sizeof d, "%s/%s", test_dir, sub);
	setenv("GOSTTOKEN_DIR", d, 1);
}

static int padded_eq(const CK_UTF8CHAR *field, size_t n, const char *want)
{
	size_t l = strlen(want), i;
	if (l > n || memcmp(field, want, l) != 0)
		return 0;
	for (i = l; i < n; i++)
		if (field[i] != ' ')
			return 0;
	return 1;
}

static void init_token(CK_SLOT_ID slot, const char *label)
{
	CK_UTF8CHAR lab[32];
	memset(lab, ' ', sizeof lab);
	memcpy(lab, label, strlen(label));
	RV(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN), lab), CKR_OK);
}

static void init_user_pin(CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s = open_session(slot, 1);
	RV(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN)), CKR_OK);
	RV(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)), CKR_OK);
	RV(p11->C_Logout(s), CKR_OK);
	RV(p11->C_CloseSession(s), CKR_OK);
}

void test_module(void)
{
	CK_C_INITIALIZE_ARGS args = { 0 };
	CK_INFO info;
	CK_SLOT_ID slots[4];
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_MECHANISM_TYPE mechs[16];
	CK_MECHANISM_INFO mi;
	CK_SESSION_HANDLE s;
	CK_ULONG n, i;
	static const CK_MECHANISM_TYPE want[] = { CKM_GOSTR3410_KEY_PAIR_GEN, CKM_GOSTR3410_512_KEY_PAIR_GEN,
		CKM_GOSTR3410, CKM_GOSTR3410_512, CKM_GOSTR3410_WITH_GOSTR3411_12_256,
		CKM_GOSTR3410_WITH_GOSTR3411_12_512, CKM_GOSTR3411_12_256, CKM_GOSTR3411_12_512 };

	RV(p11->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	unsetenv("GOSTTOKEN_DIR");
	fprintf(stderr, "(a message about GOSTTOKEN_DIR is expected here:)\n");
	RV(p11->C_Initialize(NULL), CKR_GENERAL_ERROR);
	set_dir("main");
	setenv("GOSTTOKEN_SLOTS", "0", 1);
	fprintf(stderr, "(and one about GOSTTOKEN_SLOTS:)\n");
	RV(p11->C_Initialize(NULL), CKR_GENERAL_ERROR);
	setenv("GOSTTOKEN_SLOTS", "2", 1);
	args.CreateMutex = (CK_CREATEMUTEX)1; /* application mutexes without OS locking: refused */
	args.DestroyMutex = (CK_DESTROYMUTEX)1;
	args.LockMutex = (CK_LOCKMUTEX)1;
	args.UnlockMutex = (CK_UNLOCKMUTEX)1;
	RV(p11->C_Initialize(&args), CKR_CANT_LOCK);
	memset(&args, 0, sizeof args);
	args.flags = CKF_OS_LOCKING_OK;
	RV(p11->C_Initialize(&args), CKR_OK);
	RV(p11->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);

	RV(p11->C_GetInfo(&info), CKR_OK);
	CHECK(info.cryptokiVersion.major == 2 && info.cryptokiVersion.minor == 40);
	CHECK(padded_eq(info.manufacturerID, 32, "podpis test"));

	RV(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	CHECK(n == 2);
	n = 1;
	RV(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_BUFFER_TOO_SMALL);
	CHECK(n == 2);
	n = 4;
	RV(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	CHECK(n == 2 && slots[0] == 0 && slots[1] == 1);
	RV(p11->C_GetSlotInfo(0, &si), CKR_OK);
	CHECK(si.flags & CKF_TOKEN_PRESENT);
	CHECK(si.flags & CKF_REMOVABLE_DEVICE);
	RV(p11->C_GetSlotInfo(7, &si), CKR_SLOT_ID_INVALID);

	/* A fresh token is not initialised and cannot be used yet. */
	RV(p11->C_GetTokenInfo(0, &ti), CKR_OK);
	CHECK(!(ti.flags & CKF_TOKEN_INITIALIZED));
	CHECK(!(ti.flags & CKF_USER_PIN_INITIALIZED));
	CHECK(ti.flags & CKF_RNG && ti.flags & CKF_LOGIN_REQUIRED);
	CHECK(padded_eq(ti.manufacturerID, 32, "podpis test"));
	CHECK(padded_eq(ti.model, 16, "gosttoken"));
	CHECK(ti.ulMinPinLen == 4 && ti.ulMaxPinLen == 64);
	CHECK(ti.ulMaxSessionCount > 1 && ti.ulSessionCount == 0);
	RV(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_TOKEN_NOT_RECOGNIZED);

	n = 0;
	RV(p11->C_GetMechanismList(0, NULL, &n), CKR_OK);
	CHECK(n == 8);
	n = 2;
	RV(p11->C_GetMechanismList(0, mechs, &n), CKR_BUFFER_TOO_SMALL);
	n = 16;
	RV(p11->C_GetMechanismList(0, mechs, &n), CKR_OK);
	for (i = 0; i < 8; i++) {
		CK_ULONG j, found = 0;
		for (j = 0; j < n; j++)
			found |= mechs[j] == want[i];
		CHECK(found);
		RV(p11->C_GetMechanismInfo(0, want[i], &mi), CKR_OK);
	}
	RV(p11->C_GetMechanismInfo(0, CKM_GOSTR3410, &mi), CKR_OK);
	CHECK(mi.flags & CKF_SIGN && mi.ulMinKeySize == 256);
	RV(p11->C_GetMechanismInfo(0, CKM_GOSTR3410_512_KEY_PAIR_GEN, &mi), CKR_OK);
	CHECK(mi.flags & CKF_GENERATE_KEY_PAIR && mi.ulMaxKeySize == 512);
	RV(p11->C_GetMechanismInfo(0, CKM_RSA_PKCS, &mi), CKR_MECHANISM_INVALID);

	/* C_InitToken */
	RV(p11->C_InitToken(0, (CK_UTF8CHAR_PTR)"12", 2, (CK_UTF8CHAR_PTR)"x                               "), CKR_PIN_LEN_RANGE);
	init_token(0, "token zero");
	init_token(1, "token one");
	RV(p11->C_GetTokenInfo(0, &ti), CKR_OK);
	CHECK(ti.flags & CKF_TOKEN_INITIALIZED);
	CHECK(padded_eq(ti.label, 32, "token zero"));
	/* re-initialising needs the SO PIN and no open session */
	RV(p11->C_InitToken(0, (CK_UTF8CHAR_PTR)"00000000", 8, ti.label), CKR_PIN_INCORRECT);
	s = open_session(0, 0);
	RV(p11->C_InitToken(0, (CK_UTF8CHAR_PTR)SO_PIN, strlen(SO_PIN), ti.label), CKR_SESSION_EXISTS);
	RV(p11->C_CloseSession(s), CKR_OK);
	RV(p11->C_OpenSession(0, CKF_RW_SESSION, NULL, NULL, &s), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	RV(p11->C_CloseSession(12345), CKR_SESSION_HANDLE_INVALID);

	/* Unsupported functions say so. */
	s = open_session(0, 0);
	RV(p11->C_VerifyInit(s, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
	RV(p11->C_EncryptInit(s, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
	RV(p11->C_SetAttributeValue(s, 1, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
	RV(p11->C_WaitForSlotEvent(0, NULL, NULL), CKR_FUNCTION_NOT_SUPPORTED);
	{
		unsigned char rnd[32] = { 0 }, zero[32] = { 0 };
		RV(p11->C_GenerateRandom(s, rnd, sizeof rnd), CKR_OK);
		CHECK(memcmp(rnd, zero, sizeof rnd) != 0);
		RV(p11->C_GenerateRandom(s, NULL, 4), CKR_ARGUMENTS_BAD);
		RV(p11->C_SeedRandom(s, rnd, 4), CKR_RANDOM_SEED_NOT_SUPPORTED);
	}
	RV(p11->C_CloseSession(s), CKR_OK);
}

static CK_RV login(CK_SESSION_HANDLE s, CK_USER_TYPE u, const char *pin)
{
	return p11->C_Login(s, u, (CK_UTF8CHAR_PTR)pin, pin ? strlen(pin) : 0);
}

#define PIN_FLAGS (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED)

void test_pins(void)
{
	CK_SESSION_HANDLE s, ro;
	CK_SESSION_INFO info;
	unsigned char *file;
	size_t len;
	char path[512];
	FILE *f;

	s = open_session(0, 1);
	RV(login(s, CKU_USER, USER_PIN), CKR_USER_PIN_NOT_INITIALIZED);
	ro = open_session(0, 0);
	RV(login(s, CKU_SO, SO_PIN), CKR_SESSION_READ_ONLY_EXISTS);
	RV(p11->C_CloseSession(ro), CKR_OK);
	RV(login(s, CKU_SO, "99999999"), CKR_PIN_INCORRECT);
	RV(login(s, CKU_SO, SO_PIN), CKR_OK);
	RV(p11->C_GetSessionInfo(s, &info), CKR_OK);
	CHECK(info.state == CKS_RW_SO_FUNCTIONS && info.slotID == 0);
	RV(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_SESSION_READ_WRITE_SO_EXISTS);
	RV(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)"12", 2), CKR_PIN_LEN_RANGE);
	RV(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)), CKR_OK);
	RV(p11->C_Logout(s), CKR_OK);
	CHECK(token_flags(0) & CKF_USER_PIN_INITIALIZED);
	RV(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)), CKR_USER_NOT_LOGGED_IN);

	/* the retry counter */
	CHECK((token_flags(0) & PIN_FLAGS) == 0);
	RV(login(s, CKU_USER, "00000000"), CKR_PIN_INCORRECT);
	CHECK((token_flags(0) & PIN_FLAGS) == CKF_USER_PIN_COUNT_LOW);
	RV(login(s, CKU_USER, USER_PIN), CKR_OK); /* a correct PIN resets */
	CHECK((token_flags(0) & PIN_FLAGS) == 0);
	RV(p11->C_GetSessionInfo(s, &info), CKR_OK);
	CHECK(info.state == CKS_RW_USER_FUNCTIONS);
	RV(login(s, CKU_USER, USER_PIN), CKR_USER_ALREADY_LOGGED_IN);
	RV(login(s, CKU_SO, SO_PIN), CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	RV(p11->C_Logout(s), CKR_OK);
	RV(p11->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
	RV(login(s, CKU_CONTEXT_SPECIFIC, USER_PIN), CKR_OPERATION_NOT_INITIALIZED);
	RV(login(s, 7, USER_PIN), CKR_USER_TYPE_INVALID);
	RV(login(s, CKU_USER, "1"), CKR_PIN_LEN_RANGE); /* not counted */
	RV(login(s, CKU_USER, NULL), CKR_ARGUMENTS_BAD); /* no PIN pad here */
	CHECK((token_flags(0) & PIN_FLAGS) == 0);

	RV(login(s, CKU_USER, "00000000"), CKR_PIN_INCORRECT);
	RV(login(s, CKU_USER, "00000000"), CKR_PIN_INCORRECT);
	CHECK((token_flags(0) & PIN_FLAGS) == (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY));
	RV(login(s, CKU_USER, "00000000"), CKR_PIN_LOCKED);
	CHECK((token_flags(0) & PIN_FLAGS) == CKF_USER_PIN_LOCKED);
	RV(login(s, CKU_USER, USER_PIN), CKR_PIN_LOCKED);
	/* the counter is on disk */
	RV(p11->C_CloseSession(s), CKR_OK);
	reinit();
	CHECK((token_flags(0) & PIN_FLAGS) == CKF_USER_PIN_LOCKED);
	/* the SO unlocks */
	init_user_pin(0);
	CHECK((token_flags(0) & PIN_FLAGS) == 0);

	/* C_SetPIN changes the user PIN in a public session, and counts wrong ones */
	ro = open_session(0, 0);
	RV(p11->C_SetPIN(ro, (CK_UTF8CHAR_PTR)USER_PIN, 8, (CK_UTF8CHAR_PTR)"11112222", 8), CKR_SESSION_READ_ONLY);
	RV(p11->C_CloseSession(ro), CKR_OK);
	s = open_session(0, 1);
	RV(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)"00000000", 8, (CK_UTF8CHAR_PTR)"11112222", 8), CKR_PIN_INCORRECT);
	CHECK((token_flags(0) & PIN_FLAGS) == CKF_USER_PIN_COUNT_LOW);
	RV(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)USER_PIN, 8, (CK_UTF8CHAR_PTR)"111", 3), CKR_PIN_LEN_RANGE);
	RV(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)USER_PIN, 8, (CK_UTF8CHAR_PTR)"11112222", 8), CKR_OK);
	CHECK((token_flags(0) & PIN_FLAGS) == 0);
	RV(login(s, CKU_USER, USER_PIN), CKR_PIN_INCORRECT);
	RV(login(s, CKU_USER, "11112222"), CKR_OK);
	RV(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)"11112222", 8, (CK_UTF8CHAR_PTR)USER_PIN, 8), CKR_OK);
	/* closing the last session logs out */
	RV(p11->C_CloseAllSessions(0), CKR_OK);
	s = open_session(0, 1);
	RV(p11->C_GetSessionInfo(s, &info), CKR_OK);
	CHECK(info.state == CKS_RW_PUBLIC_SESSION);
	/* the SO changes the SO PIN */
	RV(login(s, CKU_SO, SO_PIN), CKR_OK);
	RV(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)SO_PIN, 8, (CK_UTF8CHAR_PTR)"55556666", 8), CKR_OK);
	RV(p11->C_Logout(s), CKR_OK);
	RV(login(s, CKU_SO, "55556666"), CKR_OK);
	RV(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)"55556666", 8, (CK_UTF8CHAR_PTR)SO_PIN, 8), CKR_OK);
	RV(p11->C_CloseSession(s), CKR_OK);

	/* PINs are not stored in clear */
	snprintf(path, sizeof path, "%s/main/slot0/token", test_dir);
	if ((f = fopen(path, "rb"))) {
		file = calloc(1, 4096);
		len = fread(file, 1, 4095, f);
		fclose(f);
		CHECK(len > 0 && !strstr((char *)file, USER_PIN) && !strstr((char *)file, SO_PIN));
		free(file);
	} else {
		fail_at(__FILE__, __LINE__, "no token file %s", path);
	}
	init_user_pin(1);
}

static void set_removed(CK_SLOT_ID slot, int removed)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof path, "%s/main/slot%lu/removed", test_dir, (unsigned long)slot);
	if (!removed) {
		CHECK(remove(path) == 0);
		return;
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
}

void test_removal(void)
{
	CK_SESSION_HANDLE s, s2;
	CK_SESSION_INFO info;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slots[4];
	CK_MECHANISM m = { CKM_GOSTR3410, NULL, 0 };
	unsigned char dg[32] = { 1 }, sig[64];
	CK_ULONG n = 4, slen = sizeof sig;

	s = open_session(0, 1);
	login_user(s);
	key_refind(s, &key256);
	s2 = open_session(0, 0);
	RV(p11->C_SignInit(s2, &m, key256.priv), CKR_OK);

	set_removed(0, 1);
	RV(p11->C_GetSlotInfo(0, &si), CKR_OK);
	CHECK(!(si.flags & CKF_TOKEN_PRESENT));
	RV(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	CHECK(n == 1 && slots[0] == 1);
	RV(p11->C_GetTokenInfo(0, &ti), CKR_TOKEN_NOT_PRESENT);
	RV(p11->C_GetMechanismList(0, NULL, &n), CKR_TOKEN_NOT_PRESENT);
	RV(p11->C_Sign(s2, dg, sizeof dg, sig, &slen), CKR_DEVICE_REMOVED);
	RV(p11->C_GetSessionInfo(s, &info), CKR_DEVICE_REMOVED);
	RV(p11->C_SignInit(s, &m, key256.priv), CKR_DEVICE_REMOVED);
	RV(p11->C_FindObjectsInit(s, NULL, 0), CKR_DEVICE_REMOVED);
	RV(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s2), CKR_TOKEN_NOT_PRESENT);
	RV(p11->C_InitToken(0, (CK_UTF8CHAR_PTR)SO_PIN, 8, ti.label), CKR_TOKEN_NOT_PRESENT);
	/* the other token is not affected */
	CHECK(token_flags(1) & CKF_TOKEN_INITIALIZED);

	/* back in: old sessions stay dead, the user must log in again */
	set_removed(0, 0);
	RV(p11->C_GetSlotInfo(0, &si), CKR_OK);
	CHECK(si.flags & CKF_TOKEN_PRESENT);
	RV(p11->C_GetSessionInfo(s, &info), CKR_DEVICE_REMOVED);
	RV(p11->C_CloseSession(s), CKR_OK);
	RV(p11->C_CloseAllSessions(0), CKR_OK);
	RV(p11->C_GetTokenInfo(0, &ti), CKR_OK);
	CHECK(ti.ulSessionCount == 0);
	s = open_session(0, 1);
	RV(p11->C_GetSessionInfo(s, &info), CKR_OK);
	CHECK(info.state == CKS_RW_PUBLIC_SESSION);
	login_user(s);
	key_refind(s, &key256);
	CHECK(sign_and_verify_raw(s, &key256, "after reinsertion", 17));
	RV(p11->C_CloseSession(s), CKR_OK);
}

void test_options(void)
{
	CK_SESSION_HANDLE s;
	CK_ULONG len;
	unsigned char *v;
	CK_OBJECT_CLASS pub = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE t[2] = { { CKA_CLASS, &pub, sizeof pub }, { CKA_VALUE, NULL, 0 } };

	/* A PIN pad: C_Login with no PIN. */
	setenv("GOSTTOKEN_PROTECTED_AUTH", "1", 1);
	reinit();
	CHECK(token_flags(0) & CKF_PROTECTED_AUTHENTICATION_PATH);
	s = open_session(0, 1);
	RV(p11->C_Login(s, CKU_USER, NULL, 0), CKR_OK);
	key_refind(s, &key256);
	CHECK(sign_and_verify_raw(s, &key256, "pin pad", 7));
	RV(p11->C_Logout(s), CKR_OK);
	RV(login(s, CKU_USER, "00000000"), CKR_PIN_INCORRECT); /* a typed PIN is still checked */
	RV(login(s, CKU_USER, USER_PIN), CKR_OK);
	RV(p11->C_CloseSession(s), CKR_OK);
	unsetenv("GOSTTOKEN_PROTECTED_AUTH");

	/* The public key value as OpenSC returns it: an OCTET STRING. */
	setenv("GOSTTOKEN_WRAP_PUBKEY", "1", 1);
	reinit();
	CHECK(!(token_flags(0) & CKF_PROTECTED_AUTHENTICATION_PATH));
	s = open_session(0, 0);
	key_refind(s, &key256);
	key_refind(s, &key512);
	v = get_attr(s, key256.pub, CKA_VALUE, &len);
	CHECK(v && len == 66 && v[0] == 0x04 && v[1] == 0x40);
	if (v && len == 66) {
		t[1].pValue = v;
		t[1].ulValueLen = len;
		CHECK(find(s, t, 2, NULL, 0) == 1); /* matching sees the same form */
	}
	free(v);
	v = get_attr(s, key512.pub, CKA_VALUE, &len);
	CHECK(v && len == 131 && v[0] == 0x04 && v[1] == 0x81 && v[2] == 0x80);
	free(v);
	RV(p11->C_CloseSession(s), CKR_OK);
	unsetenv("GOSTTOKEN_WRAP_PUBKEY");

	RV(p11->C_Finalize(NULL), CKR_OK);
	RV(p11->C_GetSlotList(CK_FALSE, NULL, &len), CKR_CRYPTOKI_NOT_INITIALIZED);
	RV(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
}
