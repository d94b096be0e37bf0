/*
 * gosttoken C tests: loads the module with dlopen, as any PKCS#11
 * application does, and checks it against OpenSSL.
 *
 *   gosttoken-test /abs/path/libgosttoken.so
 *
 * Works in a fresh temporary directory (removed at the end unless
 * GOSTTOKEN_TEST_KEEP is set).  Exit status 0 when every check passed.
 */
#define _XOPEN_SOURCE 700
#include <dlfcn.h>
#include <pthread.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

CK_FUNCTION_LIST *p11;
char test_dir[256];
int failures;

static const struct {
	CK_RV rv;
	const char *name;
} names[] = {
#define N(x) { x, #x }
	N(CKR_OK), N(CKR_HOST_MEMORY), N(CKR_SLOT_ID_INVALID), N(CKR_GENERAL_ERROR),
	N(CKR_FUNCTION_FAILED), N(CKR_ARGUMENTS_BAD), N(CKR_CANT_LOCK),
	N(CKR_ATTRIBUTE_READ_ONLY), N(CKR_ATTRIBUTE_SENSITIVE), N(CKR_ATTRIBUTE_TYPE_INVALID),
	N(CKR_ATTRIBUTE_VALUE_INVALID), N(CKR_DATA_LEN_RANGE), N(CKR_DEVICE_ERROR),
	N(CKR_DEVICE_REMOVED), N(CKR_FUNCTION_NOT_SUPPORTED), N(CKR_KEY_HANDLE_INVALID),
	N(CKR_KEY_TYPE_INCONSISTENT), N(CKR_KEY_FUNCTION_NOT_PERMITTED), N(CKR_MECHANISM_INVALID),
	N(CKR_MECHANISM_PARAM_INVALID), N(CKR_OBJECT_HANDLE_INVALID), N(CKR_OPERATION_ACTIVE),
	N(CKR_OPERATION_NOT_INITIALIZED), N(CKR_PIN_INCORRECT), N(CKR_PIN_LEN_RANGE),
	N(CKR_PIN_LOCKED), N(CKR_SESSION_CLOSED), N(CKR_SESSION_COUNT),
	N(CKR_SESSION_HANDLE_INVALID), N(CKR_SESSION_PARALLEL_NOT_SUPPORTED),
	N(CKR_SESSION_READ_ONLY), N(CKR_SESSION_EXISTS), N(CKR_SESSION_READ_ONLY_EXISTS),
	N(CKR_SESSION_READ_WRITE_SO_EXISTS), N(CKR_TEMPLATE_INCOMPLETE),
	N(CKR_TEMPLATE_INCONSISTENT), N(CKR_TOKEN_NOT_PRESENT), N(CKR_TOKEN_NOT_RECOGNIZED),
	N(CKR_USER_ALREADY_LOGGED_IN), N(CKR_USER_NOT_LOGGED_IN), N(CKR_USER_PIN_NOT_INITIALIZED),
	N(CKR_USER_TYPE_INVALID), N(CKR_USER_ANOTHER_ALREADY_LOGGED_IN), N(CKR_DOMAIN_PARAMS_INVALID),
	N(CKR_BUFFER_TOO_SMALL), N(CKR_RANDOM_SEED_NOT_SUPPORTED),
	N(CKR_CRYPTOKI_NOT_INITIALIZED), N(CKR_CRYPTOKI_ALREADY_INITIALIZED),
#undef N
};

const char *rv_name(CK_RV rv)
{
	static __thread char buf[32];
	size_t i;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].rv == rv)
			return names[i].name;
	snprintf(buf, sizeof buf, "0x%lx", (unsigned long)rv);
	return buf;
}

void fail_at(const char *file, int line, const char *fmt, ...)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	va_list ap;
	pthread_mutex_lock(&mu);
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
	pthread_mutex_unlock(&mu);
}

void reinit(void)
{
	RV(p11->C_Finalize(NULL), CKR_OK);
	RV(p11->C_Initialize(NULL), CKR_OK);
}

CK_SESSION_HANDLE open_session(CK_SLOT_ID slot, int rw)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	RV(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0), NULL, NULL, &s), CKR_OK);
	return s;
}

void login_user(CK_SESSION_HANDLE s)
{
	RV(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)USER_PIN, strlen(USER_PIN)), CKR_OK);
}

CK_ULONG find(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out, CK_ULONG max)
{
	CK_OBJECT_HANDLE dummy[64];
	CK_ULONG got = 0;
	RV(p11->C_FindObjectsInit(s, t, n), CKR_OK);
	RV(p11->C_FindObjects(s, out ? out : dummy, out ? max : 64, &got), CKR_OK);
	RV(p11->C_FindObjectsFinal(s), CKR_OK);
	return got;
}

CK_ULONG token_flags(CK_SLOT_ID slot)
{
	CK_TOKEN_INFO ti;
	RV(p11->C_GetTokenInfo(slot, &ti), CKR_OK);
	return ti.flags;
}

unsigned char *get_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, CK_ULONG *len)
{
	CK_ATTRIBUTE a = { t, NULL, 0 };
	unsigned char *v;
	if (p11->C_GetAttributeValue(s, o, &a, 1) != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return NULL;
	v = malloc(a.ulValueLen + 1);
	a.pValue = v;
	if (p11->C_GetAttributeValue(s, o, &a, 1) != CKR_OK) {
		free(v);
		return NULL;
	}
	*len = a.ulValueLen;
	return v;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR);
	void *lib;

	if (argc != 2) {
		fprintf(stderr, "usage: %s /path/to/libgosttoken.so\n", argv[0]);
		return 2;
	}
	if (!(lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL))) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	*(void **)&get_list = dlsym(lib, "C_GetFunctionList");
	if (!get_list || get_list(&p11) != CKR_OK) {
		fprintf(stderr, "no C_GetFunctionList\n");
		return 1;
	}
	snprintf(test_dir, sizeof test_dir, "%s/gosttoken-test.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(test_dir)) {
		perror("mkdtemp");
		return 1;
	}
	ossl_init();
	if (!ossl_self_check())
		fail_at(__FILE__, __LINE__, "the independent verifier rejects the RFC 7091 examples");

	test_module();
	test_pins();
	test_keys();
	test_sign();
	test_removal();
	test_options();

	ossl_fini();
	if (!getenv("GOSTTOKEN_TEST_NO_DLCLOSE"))
		dlclose(lib);
	if (!getenv("GOSTTOKEN_TEST_KEEP"))
		nftw(test_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "state kept in %s\n", test_dir);
	if (failures) {
		fprintf(stderr, "gosttoken tests: %d failure(s)\n", failures);
		return 1;
	}
	printf("gosttoken tests: all passed\n");
	return 0;
}
