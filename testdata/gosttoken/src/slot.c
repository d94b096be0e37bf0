/*
 * Slots and tokens: the slot list, slot and token information, the
 * mechanism table, C_InitToken, and token presence (the "removed" file).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "gosttoken.h"

static const struct {
	CK_MECHANISM_TYPE type;
	CK_MECHANISM_INFO info;
} mechanisms[] = {
	{ CKM_GOSTR3410_KEY_PAIR_GEN, { 256, 256, CKF_HW | CKF_GENERATE_KEY_PAIR } },
	{ CKM_GOSTR3410_512_KEY_PAIR_GEN, { 512, 512, CKF_HW | CKF_GENERATE_KEY_PAIR } },
	{ CKM_GOSTR3410, { 256, 256, CKF_HW | CKF_SIGN } },
	{ CKM_GOSTR3410_512, { 512, 512, CKF_HW | CKF_SIGN } },
	{ CKM_GOSTR3410_WITH_GOSTR3411_12_256, { 256, 256, CKF_HW | CKF_SIGN } },
	{ CKM_GOSTR3410_WITH_GOSTR3411_12_512, { 512, 512, CKF_HW | CKF_SIGN } },
	{ CKM_GOSTR3411_12_256, { 0, 0, CKF_HW | CKF_DIGEST } },
	{ CKM_GOSTR3411_12_512, { 0, 0, CKF_HW | CKF_DIGEST } },
};
#define NMECH (sizeof mechanisms / sizeof mechanisms[0])

/* Forget the in-memory token: objects, login state. */
void gt_slot_unload(struct gt_slot *s)
{
	while (s->objects) {
		struct gt_object *o = s->objects;
		s->objects = o->next;
		gt_object_free(o);
	}
	s->logged_in = 0;
	s->present = 0;
	OPENSSL_cleanse(s->so_hash, sizeof s->so_hash);
	OPENSSL_cleanse(s->user_hash, sizeof s->user_hash);
}

/*
 * Look at the slot directory: a file named "removed" means no token.  On
 * removal every session of the slot dies (see gt_session_get); on insertion
 * the token is read back from disk.
 */
/* Milliseconds of CLOCK_MONOTONIC_COARSE: read from the vDSO, no system call. */
static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void gt_slot_refresh(struct gt_slot *s)
{
	char path[GT_FILE];
	int present;

	snprintf(path, sizeof path, "%s/removed", s->dir);
	present = access(path, F_OK) != 0;
	s->looked_ms = now_ms();
	if (s->present && !present) {
		gt_slot_unload(s);
		s->gen++;
	} else if (!s->present && present) {
		s->gen++;
		if (gt_token_load(s) != 0 || gt_objects_load(s) != 0) {
			fprintf(stderr, "gosttoken: cannot load the token in %s\n", s->dir);
			gt_slot_unload(s);
			return;
		}
		s->present = 1;
	}
}

/*
 * Session calls (C_SignInit, C_Sign, …) look at the control file at most every
 * GT_POLL_MS: a file-system call under the module lock on every operation
 * serialised concurrent signing (two sessions reached only 1.35× one).  A
 * real reader, too, notices a pulled token a little later; slot calls
 * (C_GetSlotList, C_GetSlotInfo, C_GetTokenInfo, C_OpenSession) still look
 * every time.
 */
void gt_slot_poll(struct gt_slot *s)
{
	if (now_ms() - s->looked_ms >= GT_POLL_MS)
		gt_slot_refresh(s);
}

CK_RV gt_slot_get(CK_SLOT_ID id, struct gt_slot **out)
{
	if (id >= gt.nslots)
		return CKR_SLOT_ID_INVALID;
	*out = &gt.slots[id];
	gt_slot_refresh(*out);
	return CKR_OK;
}

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	CK_RV rv;
	CK_ULONG n = 0;
	size_t i;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if (!pulCount) {
		gt_leave();
		return CKR_ARGUMENTS_BAD;
	}
	for (i = 0; i < gt.nslots; i++) {
		gt_slot_refresh(&gt.slots[i]);
		if (tokenPresent && !gt.slots[i].present)
			continue;
		if (pSlotList && n < *pulCount)
			pSlotList[n] = gt.slots[i].id;
		n++;
	}
	if (pSlotList && n > *pulCount)
		rv = CKR_BUFFER_TOO_SMALL;
	*pulCount = n;
	gt_leave();
	return rv;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	struct gt_slot *s;
	char desc[64];
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if (!pInfo)
		rv = CKR_ARGUMENTS_BAD;
	else if ((rv = gt_slot_get(slotID, &s)) == CKR_OK) {
		memset(pInfo, 0, sizeof *pInfo);
		snprintf(desc, sizeof desc, "gosttoken slot %lu", (unsigned long)slotID);
		gt_pad(pInfo->slotDescription, sizeof pInfo->slotDescription, desc);
		gt_pad(pInfo->manufacturerID, sizeof pInfo->manufacturerID, "podpis test");
		pInfo->flags = CKF_REMOVABLE_DEVICE | (s->present ? CKF_TOKEN_PRESENT : 0);
		pInfo->hardwareVersion.major = 1;
		pInfo->firmwareVersion.major = 1;
	}
	gt_leave();
	return rv;
}

static void session_counts(const struct gt_slot *s, CK_ULONG *all, CK_ULONG *rw)
{
	const struct gt_session *ss;
	*all = *rw = 0;
	for (ss = gt.sessions; ss; ss = ss->next)
		if (ss->slot == s && ss->gen == s->gen) {
			(*all)++;
			if (ss->flags & CKF_RW_SESSION)
				(*rw)++;
		}
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	struct gt_slot *s;
	CK_TOKEN_INFO *t = pInfo;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if (!pInfo)
		rv = CKR_ARGUMENTS_BAD;
	else if ((rv = gt_slot_get(slotID, &s)) == CKR_OK && !s->present)
		rv = CKR_TOKEN_NOT_PRESENT;
	if (rv != CKR_OK) {
		gt_leave();
		return rv;
	}
	memset(t, 0, sizeof *t);
	memcpy(t->label, s->label, sizeof t->label);
	gt_pad(t->manufacturerID, sizeof t->manufacturerID, "podpis test");
	gt_pad(t->model, sizeof t->model, "gosttoken");
	gt_pad(t->serialNumber, sizeof t->serialNumber, s->serial);
	t->flags = CKF_RNG | CKF_LOGIN_REQUIRED;
	if (s->initialized)
		t->flags |= CKF_TOKEN_INITIALIZED;
	if (s->user_pin_set)
		t->flags |= CKF_USER_PIN_INITIALIZED;
	if (s->user_fails >= GT_PIN_TRIES)
		t->flags |= CKF_USER_PIN_LOCKED;
	else if (s->user_fails > 0)
		t->flags |= CKF_USER_PIN_COUNT_LOW |
			    (s->user_fails == GT_PIN_TRIES - 1 ? CKF_USER_PIN_FINAL_TRY : 0);
	if (gt.protected_auth)
		t->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
	t->ulMaxSessionCount = t->ulMaxRwSessionCount = GT_MAX_SESSIONS;
	session_counts(s, &t->ulSessionCount, &t->ulRwSessionCount);
	t->ulMaxPinLen = GT_MAX_PIN;
	t->ulMinPinLen = GT_MIN_PIN;
	t->ulTotalPublicMemory = t->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	t->ulTotalPrivateMemory = t->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	t->hardwareVersion.major = 1;
	t->firmwareVersion.major = 1;
	memset(t->utcTime, ' ', sizeof t->utcTime);
	gt_leave();
	return CKR_OK;
}

static CK_RV mech_slot(CK_SLOT_ID id)
{
	struct gt_slot *s;
	CK_RV rv = gt_slot_get(id, &s);
	if (rv == CKR_OK && !s->present)
		rv = CKR_TOKEN_NOT_PRESENT;
	return rv;
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pList, CK_ULONG_PTR pulCount)
{
	CK_RV rv;
	size_t i;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if (!pulCount)
		rv = CKR_ARGUMENTS_BAD;
	else if ((rv = mech_slot(slotID)) == CKR_OK) {
		if (pList && *pulCount < NMECH)
			rv = CKR_BUFFER_TOO_SMALL;
		else if (pList)
			for (i = 0; i < NMECH; i++)
				pList[i] = mechanisms[i].type;
		*pulCount = NMECH;
	}
	gt_leave();
	return rv;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	CK_RV rv;
	size_t i;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if (!pInfo)
		rv = CKR_ARGUMENTS_BAD;
	else if ((rv = mech_slot(slotID)) == CKR_OK) {
		rv = CKR_MECHANISM_INVALID;
		for (i = 0; i < NMECH; i++)
			if (mechanisms[i].type == type) {
				*pInfo = mechanisms[i].info;
				rv = CKR_OK;
			}
	}
	gt_leave();
	return rv;
}

/* (Re)initialise a token: new SO PIN and label, no user PIN, no objects. */
CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
		  CK_UTF8CHAR_PTR pLabel)
{
	struct gt_slot *s;
	struct gt_session *ss;
	unsigned char h[32];
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_slot_get(slotID, &s)) != CKR_OK)
		goto out;
	if (!s->present) {
		rv = CKR_TOKEN_NOT_PRESENT;
		goto out;
	}
	if (!pPin || !pLabel) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (ulPinLen < GT_MIN_PIN || ulPinLen > GT_MAX_PIN) {
		rv = CKR_PIN_LEN_RANGE;
		goto out;
	}
	for (ss = gt.sessions; ss; ss = ss->next)
		if (ss->slot == s && ss->gen == s->gen) {
			rv = CKR_SESSION_EXISTS;
			goto out;
		}
	if (s->initialized) {
		if ((rv = gt_sha256(s->so_salt, sizeof s->so_salt, pPin, ulPinLen, h)) != CKR_OK)
			goto out;
		if (CRYPTO_memcmp(h, s->so_hash, sizeof h) != 0) {
			rv = CKR_PIN_INCORRECT;
			goto out;
		}
	}
	/* Drop every object, in memory and on disk. */
	gt_objects_remove_all(s);
	while (s->objects) {
		struct gt_object *o = s->objects;
		s->objects = o->next;
		gt_object_free(o);
	}
	s->next_num = 1;
	if (!gt_random(s->so_salt, sizeof s->so_salt) ||
	    (rv = gt_sha256(s->so_salt, sizeof s->so_salt, pPin, ulPinLen, s->so_hash)) != CKR_OK) {
		rv = CKR_FUNCTION_FAILED;
		goto out;
	}
	memcpy(s->label, pLabel, sizeof s->label);
	s->user_pin_set = 0;
	s->user_fails = 0;
	s->initialized = 1;
	s->logged_in = 0;
	if (gt_token_save(s) != 0)
		rv = CKR_DEVICE_ERROR;
out:
	gt_leave();
	return rv;
}
