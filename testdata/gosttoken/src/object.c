/*
 * Objects and their attributes; C_FindObjects*, C_GetAttributeValue,
 * C_CreateObject (X.509 certificates), C_DestroyObject.
 *
 * An object is a list of attributes as given in its template plus what the
 * token computes.  The private value of a key is never an attribute: it
 * lives in an EVP_PKEY (and on disk as PKCS#8 PEM).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "gosttoken.h"

struct gt_object *gt_object_new(void)
{
	struct gt_object *o = calloc(1, sizeof *o);
	if (o) {
		o->handle = gt.next_object++;
		o->num = -1;
	}
	return o;
}

void gt_object_free(struct gt_object *o)
{
	size_t i;
	if (!o)
		return;
	for (i = 0; i < o->nattrs; i++)
		free(o->attrs[i].val);
	free(o->attrs);
	EVP_PKEY_free(o->pkey);
	free(o);
}

void gt_object_link(struct gt_slot *slot, struct gt_object *o)
{
	struct gt_object **pp = &slot->objects;
	while (*pp)
		pp = &(*pp)->next;
	o->next = NULL;
	*pp = o;
}

void gt_object_unlink(struct gt_slot *slot, struct gt_object *o)
{
	struct gt_object **pp;
	for (pp = &slot->objects; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			return;
		}
}

const struct gt_attr *gt_attr_get(const struct gt_object *o, CK_ATTRIBUTE_TYPE t)
{
	size_t i;
	for (i = 0; i < o->nattrs; i++)
		if (o->attrs[i].type == t)
			return &o->attrs[i];
	return NULL;
}

/* Sets (copies) an attribute; returns 0 when out of memory. */
int gt_attr_set(struct gt_object *o, CK_ATTRIBUTE_TYPE t, const void *v, CK_ULONG len)
{
	struct gt_attr *a = (struct gt_attr *)gt_attr_get(o, t);
	CK_BYTE *copy = malloc(len ? len : 1);
	if (!copy)
		return 0;
	if (len)
		memcpy(copy, v, len);
	if (!a) {
		struct gt_attr *na = realloc(o->attrs, (o->nattrs + 1) * sizeof *na);
		if (!na) {
			free(copy);
			return 0;
		}
		o->attrs = na;
		a = &o->attrs[o->nattrs++];
		a->type = t;
	} else {
		free(a->val);
	}
	a->val = copy;
	a->len = len;
	return 1;
}

int gt_attr_bool(const struct gt_object *o, CK_ATTRIBUTE_TYPE t)
{
	const struct gt_attr *a = gt_attr_get(o, t);
	return a && a->len == sizeof(CK_BBOOL) && *a->val;
}

CK_ULONG gt_attr_ulong(const struct gt_object *o, CK_ATTRIBUTE_TYPE t, CK_ULONG dflt)
{
	const struct gt_attr *a = gt_attr_get(o, t);
	CK_ULONG v;
	if (!a || a->len != sizeof v)
		return dflt;
	memcpy(&v, a->val, sizeof v);
	return v;
}

static int is_bool_attr(CK_ATTRIBUTE_TYPE t)
{
	switch (t) {
	case CKA_TOKEN: case CKA_PRIVATE: case CKA_MODIFIABLE: case CKA_COPYABLE:
	case CKA_DESTROYABLE: case CKA_SIGN: case CKA_VERIFY: case CKA_SIGN_RECOVER:
	case CKA_VERIFY_RECOVER: case CKA_ENCRYPT: case CKA_DECRYPT: case CKA_WRAP:
	case CKA_UNWRAP: case CKA_DERIVE: case CKA_SENSITIVE: case CKA_EXTRACTABLE:
	case CKA_TRUSTED: case CKA_ALWAYS_AUTHENTICATE: case CKA_WRAP_WITH_TRUSTED:
		return 1;
	}
	return 0;
}

static int is_ulong_attr(CK_ATTRIBUTE_TYPE t)
{
	return t == CKA_CLASS || t == CKA_KEY_TYPE || t == CKA_CERTIFICATE_TYPE ||
	       t == CKA_CERTIFICATE_CATEGORY;
}

/* Copy a caller's template onto an object, refusing what only the token sets. */
CK_RV gt_template_apply(struct gt_object *o, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG i;
	for (i = 0; i < n; i++) {
		switch (t[i].type) {
		case CKA_LOCAL: case CKA_KEY_GEN_MECHANISM: case CKA_ALWAYS_SENSITIVE:
		case CKA_NEVER_EXTRACTABLE:
			return CKR_ATTRIBUTE_READ_ONLY;
		}
		if (!t[i].pValue && t[i].ulValueLen)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		if (is_bool_attr(t[i].type) && t[i].ulValueLen != sizeof(CK_BBOOL))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		if (is_ulong_attr(t[i].type) && t[i].ulValueLen != sizeof(CK_ULONG))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		if (!gt_attr_set(o, t[i].type, t[i].pValue, t[i].ulValueLen))
			return CKR_HOST_MEMORY;
	}
	return CKR_OK;
}

static int visible(const struct gt_session *s, const struct gt_object *o)
{
	return !gt_attr_bool(o, CKA_PRIVATE) || gt_user_logged_in(s->slot);
}

CK_RV gt_object_get(struct gt_session *s, CK_OBJECT_HANDLE h, struct gt_object **out)
{
	struct gt_object *o;
	for (o = s->slot->objects; o; o = o->next)
		if (o->handle == h) {
			if (!visible(s, o))
				return CKR_USER_NOT_LOGGED_IN;
			*out = o;
			return CKR_OK;
		}
	return CKR_OBJECT_HANDLE_INVALID;
}

/*
 * An attribute as the caller sees it.  The public key value is raw
 * LE(x)||LE(y), or with GOSTTOKEN_WRAP_PUBKEY a DER OCTET STRING around it
 * (as OpenSC's module returns it, FACTS §5.3).  buf holds at least 140 bytes.
 */
static CK_RV attr_view(const struct gt_object *o, CK_ATTRIBUTE_TYPE t, const CK_BYTE **v,
		       CK_ULONG *len, CK_BYTE *buf)
{
	CK_OBJECT_CLASS cls = gt_attr_ulong(o, CKA_CLASS, CK_UNAVAILABLE_INFORMATION);
	const struct gt_attr *a;

	if (cls == CKO_PRIVATE_KEY && t == CKA_VALUE)
		return CKR_ATTRIBUTE_SENSITIVE;
	if (!(a = gt_attr_get(o, t)))
		return CKR_ATTRIBUTE_TYPE_INVALID;
	*v = a->val;
	*len = a->len;
	if (gt.wrap_pubkey && cls == CKO_PUBLIC_KEY && t == CKA_VALUE &&
	    (a->len == 64 || a->len == 128)) {
		size_t h = 0;
		buf[h++] = 0x04;
		if (a->len > 127)
			buf[h++] = 0x81;
		buf[h++] = (CK_BYTE)a->len;
		memcpy(buf + h, a->val, a->len);
		*v = buf;
		*len = h + a->len;
	}
	return CKR_OK;
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct gt_session *s;
	struct gt_object *o;
	CK_BYTE buf[140];
	CK_RV rv;
	CK_ULONG i;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if (!pTemplate && ulCount) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK ||
	    (rv = gt_object_get(s, hObject, &o)) != CKR_OK)
		goto out;
	/* PKCS#11 v2.40 C_GetAttributeValue: handle every entry, report one error. */
	for (i = 0; i < ulCount; i++) {
		CK_ATTRIBUTE *t = &pTemplate[i];
		const CK_BYTE *v;
		CK_ULONG len;
		CK_RV r = attr_view(o, t->type, &v, &len, buf);
		if (r != CKR_OK) {
			t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = r;
		} else if (!t->pValue) {
			t->ulValueLen = len;
		} else if (t->ulValueLen < len) {
			t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_BUFFER_TOO_SMALL;
		} else {
			memcpy(t->pValue, v, len);
			t->ulValueLen = len;
		}
	}
out:
	gt_leave();
	return rv;
}

static int matches(const struct gt_object *o, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_BYTE buf[140];
	CK_ULONG i, len;
	const CK_BYTE *v;
	for (i = 0; i < n; i++)
		if (attr_view(o, t[i].type, &v, &len, buf) != CKR_OK || len != t[i].ulValueLen ||
		    (len && memcmp(v, t[i].pValue, len) != 0))
			return 0;
	return 1;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct gt_session *s;
	struct gt_object *o;
	size_t n = 0;
	CK_ULONG i;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK)
		goto out;
	if (!pTemplate && ulCount) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	for (i = 0; i < ulCount; i++)
		if (!pTemplate[i].pValue && pTemplate[i].ulValueLen) {
			rv = CKR_ATTRIBUTE_VALUE_INVALID;
			goto out;
		}
	if (s->find.active) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	for (o = s->slot->objects; o; o = o->next)
		n++;
	free(s->find.handles);
	memset(&s->find, 0, sizeof s->find);
	if (n && !(s->find.handles = calloc(n, sizeof *s->find.handles))) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	for (o = s->slot->objects; o; o = o->next)
		if (visible(s, o) && matches(o, pTemplate, ulCount))
			s->find.handles[s->find.n++] = o->handle;
	s->find.active = 1;
out:
	gt_leave();
	return rv;
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
		    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct gt_session *s;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK)
		goto out;
	if (!pulObjectCount || (!phObject && ulMaxObjectCount)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!s->find.active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	*pulObjectCount = 0;
	while (*pulObjectCount < ulMaxObjectCount && s->find.pos < s->find.n)
		phObject[(*pulObjectCount)++] = s->find.handles[s->find.pos++];
out:
	gt_leave();
	return rv;
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	struct gt_session *s;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) == CKR_OK) {
		if (!s->find.active)
			rv = CKR_OPERATION_NOT_INITIALIZED;
		free(s->find.handles);
		memset(&s->find, 0, sizeof s->find);
	}
	gt_leave();
	return rv;
}

/*
 * Make o a token object (written to disk; needs a R/W session) or a
 * session object of s, and link it into the token.
 */
CK_RV gt_object_store(struct gt_session *s, struct gt_object *o)
{
	if (gt_attr_bool(o, CKA_TOKEN)) {
		if (!(s->flags & CKF_RW_SESSION))
			return CKR_SESSION_READ_ONLY;
		o->num = s->slot->next_num++;
		if (gt_object_save(s->slot, o) != 0)
			return CKR_DEVICE_ERROR;
	} else {
		o->owner = s->handle;
	}
	gt_object_link(s->slot, o);
	return CKR_OK;
}

/* Destroy session objects: of one session (owner), or with owner 0 of all. */
void gt_session_objects_drop(struct gt_slot *slot, CK_SESSION_HANDLE owner, int private_only)
{
	struct gt_object **pp = &slot->objects;
	while (*pp) {
		struct gt_object *o = *pp;
		if (o->owner && (!owner || o->owner == owner) &&
		    (!private_only || gt_attr_bool(o, CKA_PRIVATE))) {
			*pp = o->next;
			gt_object_free(o);
		} else {
			pp = &o->next;
		}
	}
}

static CK_RV der_attr(struct gt_object *o, CK_ATTRIBUTE_TYPE t, int len, unsigned char *der)
{
	CK_RV rv = CKR_OK;
	if (len <= 0)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (!gt_attr_get(o, t) && !gt_attr_set(o, t, der, (CK_ULONG)len))
		rv = CKR_HOST_MEMORY;
	OPENSSL_free(der);
	return rv;
}

/* Certificate attributes from the DER: subject, issuer, serial number. */
static CK_RV cert_attrs(struct gt_object *o)
{
	const struct gt_attr *v = gt_attr_get(o, CKA_VALUE);
	const unsigned char *p;
	unsigned char *der;
	X509 *x;
	CK_RV rv;
	int len;

	if (!v)
		return CKR_TEMPLATE_INCOMPLETE;
	p = v->val;
	if (!(x = d2i_X509(NULL, &p, (long)v->len)) || p != v->val + v->len) {
		X509_free(x);
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	der = NULL;
	len = i2d_X509_NAME(X509_get_subject_name(x), &der);
	rv = der_attr(o, CKA_SUBJECT, len, der);
	if (rv == CKR_OK) {
		der = NULL;
		len = i2d_X509_NAME(X509_get_issuer_name(x), &der);
		rv = der_attr(o, CKA_ISSUER, len, der);
	}
	if (rv == CKR_OK) {
		der = NULL;
		len = i2d_ASN1_INTEGER((ASN1_INTEGER *)X509_get0_serialNumber(x), &der);
		rv = der_attr(o, CKA_SERIAL_NUMBER, len, der);
	}
	X509_free(x);
	return rv;
}

/* Only X.509 certificates can be created (imported). */
CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
		     CK_OBJECT_HANDLE_PTR phObject)
{
	static const CK_BBOOL no = CK_FALSE;
	static const CK_ULONG x509 = CKC_X_509, zero = 0;
	struct gt_session *s;
	struct gt_object *o = NULL;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK)
		goto out;
	if ((!pTemplate && ulCount) || !phObject) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!(o = gt_object_new())) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	if (!gt_attr_set(o, CKA_TOKEN, &no, 1) || !gt_attr_set(o, CKA_PRIVATE, &no, 1) ||
	    !gt_attr_set(o, CKA_MODIFIABLE, &no, 1) || !gt_attr_set(o, CKA_TRUSTED, &no, 1) ||
	    !gt_attr_set(o, CKA_LABEL, "", 0) || !gt_attr_set(o, CKA_ID, "", 0) ||
	    !gt_attr_set(o, CKA_CERTIFICATE_TYPE, &x509, sizeof x509) ||
	    !gt_attr_set(o, CKA_CERTIFICATE_CATEGORY, &zero, sizeof zero)) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	if ((rv = gt_template_apply(o, pTemplate, ulCount)) != CKR_OK)
		goto out;
	if (!gt_attr_get(o, CKA_CLASS))
		rv = CKR_TEMPLATE_INCOMPLETE;
	else if (gt_attr_ulong(o, CKA_CLASS, 0) != CKO_CERTIFICATE ||
		 gt_attr_ulong(o, CKA_CERTIFICATE_TYPE, 0) != CKC_X_509)
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	else if (gt_attr_bool(o, CKA_PRIVATE) && !gt_user_logged_in(s->slot))
		rv = CKR_USER_NOT_LOGGED_IN;
	else if ((rv = cert_attrs(o)) == CKR_OK && (rv = gt_object_store(s, o)) == CKR_OK) {
		*phObject = o->handle;
		o = NULL;
	}
out:
	gt_object_free(o);
	gt_leave();
	return rv;
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	struct gt_session *s;
	struct gt_object *o;
	CK_RV rv;

	if ((rv = gt_enter()) != CKR_OK)
		return rv;
	if ((rv = gt_session_get(hSession, &s)) != CKR_OK ||
	    (rv = gt_object_get(s, hObject, &o)) != CKR_OK)
		goto out;
	if (!o->owner && !(s->flags & CKF_RW_SESSION)) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	if (!o->owner)
		gt_object_remove_files(s->slot, o);
	gt_object_unlink(s->slot, o);
	gt_object_free(o);
out:
	gt_leave();
	return rv;
}
