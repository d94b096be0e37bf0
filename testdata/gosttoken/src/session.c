/*
 * Sessions, login and PINs.
 *
 * The login state belongs to the token (all sessions of the application
 * share it).  The user PIN has a retry counter kept on disk: one wrong PIN
 * sets CKF_USER_PIN_COUNT_LOW, two set CKF_USER_PIN_FINAL_TRY as well, the
 * third locks the PIN (CKR_PIN_LOCKED, CKF_USER_PIN_LOCKED).  A correct PIN
 * resets the counter; C_InitPIN by the SO sets a new PIN and unlocks.  The
 * SO PIN has no counter.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "gosttoken.h"

struct gt_session *gt_session_find(CK_SESSION_HANDLE h)
{
	struct gt_session *s;
	for (s = gt.sessions; s; s = s->next)
		if (s->handle == h)
			return s;
	return NULL;
}

/* A live session; one whose token went away is dead: CKR_DEVICE_REMOVED. */
CK_RV gt_session_get(CK_SESSION_HANDLE h, struct gt_session **out)
{
	struct gt_session *s = gt_session_find(h);
	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	gt_slot_poll(s->slot);
	if (!s->slot->present || s->gen != s->slot->gen)
		return CKR_DEVICE_REMOVED;
	*out = s;
	return CKR_OK;
}

int gt_user_logged_in(const struct gt_slot *s)
{
	return s->logged_in && s->login_type == CKU_USER;
}

/*
 * End an operation.  The hash context of a busy operation belongs to the
 * thread hashing outside the lock; it frees it when it finds the operation
 * gone (see op_update in crypto.c).
 */
void gt_op_release(struct gt_op *op)
{
	EVP_PKEY_free(op->pkey);
	if (!op->busy)
		EVP_MD_CTX_free(op->md);
	memset(op, 0, sizeof *op);
}

void gt_session_free(struct gt_session *s)
{
	if (s->slot->present && s->gen == s->slot->gen)
		gt_session_objects_drop(s->slot, s->handle, 0);
	gt_op_release(&s->sign);
	gt_op_release(&s->digest);
	free(s->find.handles);
	free(s);
}

static size_t live_sessions(const struct gt_slot *slot)
{
	const struct gt_session *s;
	size_t n = 0;
	for (s = gt.sessions; s; s = s->next)
		if (s->slot == slot && s->gen == slot->gen)
			n++;
	return n;
}

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
		    CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	struct gt_slot *slot;
	struct gt_session *s;
	CK_RV rv;

	(void)pApplication;
	(void)Notify; /* no callbacks are ever made */
	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if (!phSession)
		rv = CKR_ARGUMENTS_BAD;
	else if (!(flags & CKF_SERIAL_SESSION))
		rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	else if ((rv = gt_slot_get(slotID, &slot)) != CKR_OK)
		;
	else if (!slot->present)
		rv = CKR_TOKEN_NOT_PRESENT;
	else if (!slot->initialized)
		rv = CKR_TOKEN_NOT_RECOGNIZED;
	else if (slot->logged_in && slot->login_type == CKU_SO && !(flags & CKF_RW_SESSION))
		rv = CKR_SESSION_READ_WRITE_SO_EXISTS;
	else if (live_sessions(slot) >= GT_MAX_SESSIONS)
		rv = CKR_SESSION_COUNT;
	else if (!(s = calloc(1, sizeof *s)))
		rv = CKR_HOST_MEMORY;
	else {
		s->handle = gt.next_session++;
		s->slot = slot;
		s->gen = slot->gen;
		s->flags = flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION);
		s->next = gt.sessions;
		gt.sessions = s;
		*phSession = s->handle;
	}
	gt_leave();
	return rv;
}

/* Unlink and free a session; the last live session of a token logs out. */
static void close_session(struct gt_session *s)
{
	struct gt_session **pp;
	struct gt_slot *slot = s->slot;
	int live = s->gen == slot->gen;

	for (pp = &gt.sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	gt_session_free(s);
	if (live && live_sessions(slot) == 0)
		slot->logged_in = 0;
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	struct gt_session *s;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	/* Dead sessions (token removed) close fine: the caller is cleaning up. */
	if (!(s = gt_session_find(hSession)))
		rv = CKR_SESSION_HANDLE_INVALID;
	else
		close_session(s);
	gt_leave();
	return rv;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	struct gt_slot *slot;
	struct gt_session *s, *next;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_slot_get(slotID, &slot)) == CKR_OK)
		for (s = gt.sessions; s; s = next) {
			next = s->next;
			if (s->slot == slot)
				close_session(s);
		}
	gt_leave();
	return rv;
}

static CK_STATE session_state(const struct gt_session *s)
{
	int rw = (s->flags & CKF_RW_SESSION) != 0;
	if (s->slot->logged_in && s->slot->login_type == CKU_SO)
		return CKS_RW_SO_FUNCTIONS;
	if (s->slot->logged_in)
		return rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	return rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	struct gt_session *s;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if (!pInfo)
		rv = CKR_ARGUMENTS_BAD;
	else if ((rv = gt_session_get(hSession, &s)) == CKR_OK) {
		pInfo->slotID = s->slot->id;
		pInfo->state = session_state(s);
		pInfo->flags = s->flags;
		pInfo->ulDeviceError = 0;
	}
	gt_leave();
	return rv;
}

static CK_RV pin_hash(const unsigned char salt[16], const CK_UTF8CHAR *pin, CK_ULONG len,
		      unsigned char out[32])
{
	return gt_sha256(salt, 16, pin, len, out);
}

static CK_RV pin_matches(const unsigned char salt[16], const unsigned char hash[32],
			 const CK_UTF8CHAR *pin, CK_ULONG len, int *ok)
{
	unsigned char h[32];
	CK_RV rv = pin_hash(salt, pin, len, h);
	*ok = rv == CKR_OK && CRYPTO_memcmp(h, hash, 32) == 0;
	return rv;
}

/*
 * Check the user PIN and keep the counter.  pin NULL means "entered on the
 * PIN pad", accepted only with CKF_PROTECTED_AUTHENTICATION_PATH.
 */
static CK_RV check_user_pin(struct gt_slot *slot, const CK_UTF8CHAR *pin, CK_ULONG len)
{
	CK_RV rv;
	int ok;

	if (!slot->user_pin_set)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if (slot->user_fails >= GT_PIN_TRIES)
		return CKR_PIN_LOCKED;
	if (!pin) {
		if (!gt.protected_auth)
			return CKR_ARGUMENTS_BAD;
		ok = 1;
	} else {
		if (len < GT_MIN_PIN || len > GT_MAX_PIN)
			return CKR_PIN_LEN_RANGE;
		if ((rv = pin_matches(slot->user_salt, slot->user_hash, pin, len, &ok)) != CKR_OK)
			return rv;
	}
	if (ok) {
		if (slot->user_fails) {
			slot->user_fails = 0;
			if (gt_token_save(slot) != 0)
				return CKR_DEVICE_ERROR;
		}
		return CKR_OK;
	}
	slot->user_fails++;
	if (gt_token_save(slot) != 0)
		return CKR_DEVICE_ERROR;
	return slot->user_fails >= GT_PIN_TRIES ? CKR_PIN_LOCKED : CKR_PIN_INCORRECT;
}

static CK_RV check_so_pin(struct gt_slot *slot, const CK_UTF8CHAR *pin, CK_ULONG len)
{
	CK_RV rv;
	int ok;

	if (!pin)
		return gt.protected_auth ? CKR_OK : CKR_ARGUMENTS_BAD;
	if (len < GT_MIN_PIN || len > GT_MAX_PIN)
		return CKR_PIN_LEN_RANGE;
	if ((rv = pin_matches(slot->so_salt, slot->so_hash, pin, len, &ok)) != CKR_OK)
		return rv;
	return ok ? CKR_OK : CKR_PIN_INCORRECT;
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
	      CK_ULONG ulPinLen)
{
	struct gt_session *s, *o;
	struct gt_slot *slot;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK)
		goto out;
	slot = s->slot;
	if (userType == CKU_CONTEXT_SPECIFIC) {
		rv = CKR_OPERATION_NOT_INITIALIZED; /* no key here needs it */
		goto out;
	}
	if (userType != CKU_USER && userType != CKU_SO) {
		rv = CKR_USER_TYPE_INVALID;
		goto out;
	}
	if (slot->logged_in) {
		rv = slot->login_type == userType ? CKR_USER_ALREADY_LOGGED_IN
						  : CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
		goto out;
	}
	if (userType == CKU_SO) {
		for (o = gt.sessions; o; o = o->next)
			if (o->slot == slot && o->gen == slot->gen && !(o->flags & CKF_RW_SESSION)) {
				rv = CKR_SESSION_READ_ONLY_EXISTS;
				goto out;
			}
		rv = check_so_pin(slot, pPin, ulPinLen);
	} else {
		rv = check_user_pin(slot, pPin, ulPinLen);
	}
	if (rv == CKR_OK) {
		slot->logged_in = 1;
		slot->login_type = userType;
	}
out:
	gt_leave();
	return rv;
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	struct gt_session *s, *o;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK)
		goto out;
	if (!s->slot->logged_in) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	s->slot->logged_in = 0;
	/* Signing needs the user: end the sign operations of this token. */
	for (o = gt.sessions; o; o = o->next)
		if (o->slot == s->slot)
			gt_op_release(&o->sign);
	gt_session_objects_drop(s->slot, 0, 1);
out:
	gt_leave();
	return rv;
}

static CK_RV set_user_pin(struct gt_slot *slot, const CK_UTF8CHAR *pin, CK_ULONG len)
{
	CK_RV rv;
	if (!gt_random(slot->user_salt, sizeof slot->user_salt))
		return CKR_FUNCTION_FAILED;
	if ((rv = pin_hash(slot->user_salt, pin, len, slot->user_hash)) != CKR_OK)
		return rv;
	slot->user_pin_set = 1;
	slot->user_fails = 0;
	return gt_token_save(slot) == 0 ? CKR_OK : CKR_DEVICE_ERROR;
}

/* The SO sets the user PIN; this also unlocks a locked PIN. */
CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	struct gt_session *s;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK)
		goto out;
	if (session_state(s) != CKS_RW_SO_FUNCTIONS)
		rv = CKR_USER_NOT_LOGGED_IN;
	else if (!pPin)
		rv = CKR_ARGUMENTS_BAD;
	else if (ulPinLen < GT_MIN_PIN || ulPinLen > GT_MAX_PIN)
		rv = CKR_PIN_LEN_RANGE;
	else
		rv = set_user_pin(s->slot, pPin, ulPinLen);
out:
	gt_leave();
	return rv;
}

/* Changes the SO PIN when the SO is logged in, else the user PIN. */
CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
	       CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct gt_session *s;
	struct gt_slot *slot;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK)
		goto out;
	slot = s->slot;
	if (!(s->flags & CKF_RW_SESSION)) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	if (!pOldPin || !pNewPin) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (ulNewLen < GT_MIN_PIN || ulNewLen > GT_MAX_PIN) {
		rv = CKR_PIN_LEN_RANGE;
		goto out;
	}
	if (slot->logged_in && slot->login_type == CKU_SO) {
		if ((rv = check_so_pin(slot, pOldPin, ulOldLen)) != CKR_OK)
			goto out;
		if (!gt_random(slot->so_salt, sizeof slot->so_salt) ||
		    pin_hash(slot->so_salt, pNewPin, ulNewLen, slot->so_hash) != CKR_OK)
			rv = CKR_FUNCTION_FAILED;
		else if (gt_token_save(slot) != 0)
			rv = CKR_DEVICE_ERROR;
	} else if ((rv = check_user_pin(slot, pOldPin, ulOldLen)) == CKR_OK) {
		rv = set_user_pin(slot, pNewPin, ulNewLen);
	}
out:
	gt_leave();
	return rv;
}
