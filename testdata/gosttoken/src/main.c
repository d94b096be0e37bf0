/*
 * Module entry: C_GetFunctionList, C_Initialize, C_Finalize, C_GetInfo,
 * the module-wide lock, and CKR_FUNCTION_NOT_SUPPORTED for the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gosttoken.h"

struct gt_module gt;
static pthread_mutex_t gt_lock = PTHREAD_MUTEX_INITIALIZER;

CK_RV gt_enter(void)
{
	pthread_mutex_lock(&gt_lock);
	if (!gt.initialized) {
		pthread_mutex_unlock(&gt_lock);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	return CKR_OK;
}

void gt_leave(void)
{
	pthread_mutex_unlock(&gt_lock);
}

/* Fixed-width PKCS#11 strings: blank padded, no terminating NUL. */
void gt_pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
	size_t l = strlen(src);
	memset(dst, ' ', n);
	memcpy(dst, src, l < n ? l : n);
}

static int env_flag(const char *name)
{
	const char *v = getenv(name);
	return v && strcmp(v, "") != 0 && strcmp(v, "0") != 0;
}

static CK_RV check_init_args(CK_C_INITIALIZE_ARGS *a)
{
	int fns;
	if (!a)
		return CKR_OK;
	if (a->pReserved)
		return CKR_ARGUMENTS_BAD;
	fns = (a->CreateMutex != NULL) + (a->DestroyMutex != NULL) +
	      (a->LockMutex != NULL) + (a->UnlockMutex != NULL);
	if (fns != 0 && fns != 4)
		return CKR_ARGUMENTS_BAD;
	/* We lock with pthreads: fine with CKF_OS_LOCKING_OK or with no locking
	 * asked for; application-supplied mutexes alone we cannot use. */
	if (fns == 4 && !(a->flags & CKF_OS_LOCKING_OK))
		return CKR_CANT_LOCK;
	return CKR_OK;
}

static CK_RV setup(void)
{
	const char *dir = getenv("GOSTTOKEN_DIR"), *n = getenv("GOSTTOKEN_SLOTS");
	long nslots = 1;
	size_t i;
	CK_RV rv;

	if (!dir || !*dir) {
		fprintf(stderr, "gosttoken: GOSTTOKEN_DIR is not set; it names the directory "
				"that holds the test tokens\n");
		return CKR_GENERAL_ERROR;
	}
	if (n && *n) {
		char *end;
		nslots = strtol(n, &end, 10);
		if (*end || nslots < 1 || nslots > GT_MAX_SLOTS) {
			fprintf(stderr, "gosttoken: GOSTTOKEN_SLOTS=%s: want 1..%d\n", n, GT_MAX_SLOTS);
			return CKR_GENERAL_ERROR;
		}
	}
	if (strlen(dir) > GT_PATH - 64) {
		fprintf(stderr, "gosttoken: GOSTTOKEN_DIR is too long\n");
		return CKR_GENERAL_ERROR;
	}
	if (gt_mkdir(dir) != 0) {
		fprintf(stderr, "gosttoken: cannot create %s: %s\n", dir, strerror(errno));
		return CKR_GENERAL_ERROR;
	}
	memset(&gt, 0, sizeof gt);
	snprintf(gt.root, sizeof gt.root, "%s", dir);
	gt.nslots = (size_t)nslots;
	gt.next_session = 1;
	gt.next_object = 1;
	gt.protected_auth = env_flag("GOSTTOKEN_PROTECTED_AUTH");
	gt.wrap_pubkey = env_flag("GOSTTOKEN_WRAP_PUBKEY");
	if ((rv = gt_crypto_init()) != CKR_OK)
		return rv;
	for (i = 0; i < gt.nslots; i++) {
		struct gt_slot *s = &gt.slots[i];
		s->id = i;
		snprintf(s->dir, sizeof s->dir, "%s/slot%d", gt.root, (int)i);
		if (gt_mkdir(s->dir) != 0) {
			fprintf(stderr, "gosttoken: cannot create %s: %s\n", s->dir, strerror(errno));
			gt_crypto_fini();
			return CKR_GENERAL_ERROR;
		}
	}
	gt.initialized = 1;
	for (i = 0; i < gt.nslots; i++)
		gt_slot_refresh(&gt.slots[i]); /* loads present tokens */
	return CKR_OK;
}

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	CK_RV rv = check_init_args(pInitArgs);
	if (rv != CKR_OK)
		return rv;
	pthread_mutex_lock(&gt_lock);
	rv = gt.initialized ? CKR_CRYPTOKI_ALREADY_INITIALIZED : setup();
	pthread_mutex_unlock(&gt_lock);
	return rv;
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	CK_RV rv;
	size_t i;
	if (pReserved)
		return CKR_ARGUMENTS_BAD;
	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	while (gt.sessions) {
		struct gt_session *s = gt.sessions;
		gt.sessions = s->next;
		gt_session_free(s);
	}
	for (i = 0; i < gt.nslots; i++)
		gt_slot_unload(&gt.slots[i]);
	gt_crypto_fini();
	gt.initialized = 0;
	gt_leave();
	return CKR_OK;
}

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	CK_RV rv;
	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if (!pInfo) {
		gt_leave();
		return CKR_ARGUMENTS_BAD;
	}
	memset(pInfo, 0, sizeof *pInfo);
	pInfo->cryptokiVersion.major = 2;
	pInfo->cryptokiVersion.minor = 40;
	gt_pad(pInfo->manufacturerID, sizeof pInfo->manufacturerID, "podpis test");
	gt_pad(pInfo->libraryDescription, sizeof pInfo->libraryDescription,
	       "gosttoken (TEST token)");
	pInfo->libraryVersion.major = 0;
	pInfo->libraryVersion.minor = 1;
	gt_leave();
	return CKR_OK;
}

/* ---- functions this token does not implement ---- */

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define NS { return CKR_FUNCTION_NOT_SUPPORTED; }
typedef CK_SESSION_HANDLE SH;
typedef CK_BYTE_PTR BP;
typedef CK_ULONG_PTR LP;
typedef CK_ULONG UL;
typedef CK_MECHANISM_PTR MP;
typedef CK_OBJECT_HANDLE OH;
CK_RV C_GetOperationState(SH h, BP s, LP l) NS
CK_RV C_SetOperationState(SH h, BP s, UL l, OH e, OH a) NS
CK_RV C_CopyObject(SH h, OH o, CK_ATTRIBUTE_PTR t, UL n, CK_OBJECT_HANDLE_PTR p) NS
CK_RV C_GetObjectSize(SH h, OH o, LP l) NS
CK_RV C_SetAttributeValue(SH h, OH o, CK_ATTRIBUTE_PTR t, UL n) NS
CK_RV C_EncryptInit(SH h, MP m, OH k) NS
CK_RV C_Encrypt(SH h, BP d, UL l, BP e, LP el) NS
CK_RV C_EncryptUpdate(SH h, BP d, UL l, BP e, LP el) NS
CK_RV C_EncryptFinal(SH h, BP e, LP el) NS
CK_RV C_DecryptInit(SH h, MP m, OH k) NS
CK_RV C_Decrypt(SH h, BP e, UL el, BP d, LP l) NS
CK_RV C_DecryptUpdate(SH h, BP e, UL el, BP d, LP l) NS
CK_RV C_DecryptFinal(SH h, BP d, LP l) NS
CK_RV C_DigestKey(SH h, OH k) NS
CK_RV C_SignRecoverInit(SH h, MP m, OH k) NS
CK_RV C_SignRecover(SH h, BP d, UL l, BP s, LP sl) NS
CK_RV C_VerifyInit(SH h, MP m, OH k) NS
CK_RV C_Verify(SH h, BP d, UL l, BP s, UL sl) NS
CK_RV C_VerifyUpdate(SH h, BP d, UL l) NS
CK_RV C_VerifyFinal(SH h, BP s, UL sl) NS
CK_RV C_VerifyRecoverInit(SH h, MP m, OH k) NS
CK_RV C_VerifyRecover(SH h, BP s, UL sl, BP d, LP l) NS
CK_RV C_DigestEncryptUpdate(SH h, BP p, UL l, BP e, LP el) NS
CK_RV C_DecryptDigestUpdate(SH h, BP e, UL el, BP p, LP l) NS
CK_RV C_SignEncryptUpdate(SH h, BP p, UL l, BP e, LP el) NS
CK_RV C_DecryptVerifyUpdate(SH h, BP e, UL el, BP p, LP l) NS
CK_RV C_GenerateKey(SH h, MP m, CK_ATTRIBUTE_PTR t, UL n, CK_OBJECT_HANDLE_PTR k) NS
CK_RV C_WrapKey(SH h, MP m, OH w, OH k, BP o, LP l) NS
CK_RV C_UnwrapKey(SH h, MP m, OH u, BP w, UL wl, CK_ATTRIBUTE_PTR t, UL n, CK_OBJECT_HANDLE_PTR k) NS
CK_RV C_DeriveKey(SH h, MP m, OH b, CK_ATTRIBUTE_PTR t, UL n, CK_OBJECT_HANDLE_PTR k) NS
CK_RV C_GetFunctionStatus(SH h) { return CKR_FUNCTION_NOT_PARALLEL; }
CK_RV C_CancelFunction(SH h) { return CKR_FUNCTION_NOT_PARALLEL; }
CK_RV C_WaitForSlotEvent(CK_FLAGS f, CK_SLOT_ID_PTR s, CK_VOID_PTR r) NS
#pragma GCC diagnostic pop

static CK_FUNCTION_LIST function_list = {
	.version = { 2, 40 },
	.C_Initialize = C_Initialize,
	.C_Finalize = C_Finalize,
	.C_GetInfo = C_GetInfo,
	.C_GetFunctionList = C_GetFunctionList,
	.C_GetSlotList = C_GetSlotList,
	.C_GetSlotInfo = C_GetSlotInfo,
	.C_GetTokenInfo = C_GetTokenInfo,
	.C_GetMechanismList = C_GetMechanismList,
	.C_GetMechanismInfo = C_GetMechanismInfo,
	.C_InitToken = C_InitToken,
	.C_InitPIN = C_InitPIN,
	.C_SetPIN = C_SetPIN,
	.C_OpenSession = C_OpenSession,
	.C_CloseSession = C_CloseSession,
	.C_CloseAllSessions = C_CloseAllSessions,
	.C_GetSessionInfo = C_GetSessionInfo,
	.C_GetOperationState = C_GetOperationState,
	.C_SetOperationState = C_SetOperationState,
	.C_Login = C_Login,
	.C_Logout = C_Logout,
	.C_CreateObject = C_CreateObject,
	.C_CopyObject = C_CopyObject,
	.C_DestroyObject = C_DestroyObject,
	.C_GetObjectSize = C_GetObjectSize,
	.C_GetAttributeValue = C_GetAttributeValue,
	.C_SetAttributeValue = C_SetAttributeValue,
	.C_FindObjectsInit = C_FindObjectsInit,
	.C_FindObjects = C_FindObjects,
	.C_FindObjectsFinal = C_FindObjectsFinal,
	.C_EncryptInit = C_EncryptInit,
	.C_Encrypt = C_Encrypt,
	.C_EncryptUpdate = C_EncryptUpdate,
	.C_EncryptFinal = C_EncryptFinal,
	.C_DecryptInit = C_DecryptInit,
	.C_Decrypt = C_Decrypt,
	.C_DecryptUpdate = C_DecryptUpdate,
	.C_DecryptFinal = C_DecryptFinal,
	.C_DigestInit = C_DigestInit,
	.C_Digest = C_Digest,
	.C_DigestUpdate = C_DigestUpdate,
	.C_DigestKey = C_DigestKey,
	.C_DigestFinal = C_DigestFinal,
	.C_SignInit = C_SignInit,
	.C_Sign = C_Sign,
	.C_SignUpdate = C_SignUpdate,
	.C_SignFinal = C_SignFinal,
	.C_SignRecoverInit = C_SignRecoverInit,
	.C_SignRecover = C_SignRecover,
	.C_VerifyInit = C_VerifyInit,
	.C_Verify = C_Verify,
	.C_VerifyUpdate = C_VerifyUpdate,
	.C_VerifyFinal = C_VerifyFinal,
	.C_VerifyRecoverInit = C_VerifyRecoverInit,
	.C_VerifyRecover = C_VerifyRecover,
	.C_DigestEncryptUpdate = C_DigestEncryptUpdate,
	.C_DecryptDigestUpdate = C_DecryptDigestUpdate,
	.C_SignEncryptUpdate = C_SignEncryptUpdate,
	.C_DecryptVerifyUpdate = C_DecryptVerifyUpdate,
	.C_GenerateKey = C_GenerateKey,
	.C_GenerateKeyPair = C_GenerateKeyPair,
	.C_WrapKey = C_WrapKey,
	.C_UnwrapKey = C_UnwrapKey,
	.C_DeriveKey = C_DeriveKey,
	.C_SeedRandom = C_SeedRandom,
	.C_GenerateRandom = C_GenerateRandom,
	.C_GetFunctionStatus = C_GetFunctionStatus,
	.C_CancelFunction = C_CancelFunction,
	.C_WaitForSlotEvent = C_WaitForSlotEvent,
};

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	if (!ppFunctionList)
		return CKR_ARGUMENTS_BAD;
	*ppFunctionList = &function_list;
	return CKR_OK;
}
