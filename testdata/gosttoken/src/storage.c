/*
 * Token state on disk, under GOSTTOKEN_DIR/slotN/:
 *
 *   token               key=value lines: initialized, serial, label (hex),
 *                       SO and user PIN salts and salted SHA-256 hashes,
 *                       user_fails (the retry counter)
 *   objects/NNNNNN.attr one attribute a line: "<type hex> <value hex>"
 *   objects/NNNNNN.pem  private key, PKCS#8 PEM written by OpenSSL (clear!)
 *   objects/NNNNNN.der  certificate DER (its CKA_VALUE)
 *   removed             if present, the token is "removed" from the slot
 *
 * Every file is written to a temporary name and renamed into place.  The
 * .attr file is written last and removed first: it is what makes an object.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "gosttoken.h"

int gt_mkdir(const char *path)
{
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

int gt_write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[GT_FILE];
	const unsigned char *p = data;
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			unlink(tmp);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int gt_read_file(const char *path, unsigned char **data, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = 0; /* text files are parsed as strings */
	*data = buf;
	*len = got;
	return 0;
}

/* ---- a growing text buffer and hex ---- */

struct text {
	char *p;
	size_t len, cap;
	int err;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->err)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *p = realloc(t->p, cap);
		if (!p) {
			t->err = 1;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = 0;
}

static void put_str(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void put_hex(struct text *t, const unsigned char *v, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;
	for (i = 0; i < n; i++) {
		char h[2] = { digits[v[i] >> 4], digits[v[i] & 15] };
		put(t, h, 2);
	}
}

/* Decodes hex into out (at most max bytes); returns the length or -1. */
static long unhex(const char *s, size_t slen, unsigned char *out, size_t max)
{
	size_t i;
	if (slen % 2 || slen / 2 > max)
		return -1;
	for (i = 0; i < slen / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return (long)(slen / 2);
}

/* ---- the token file ---- */

static void token_path(const struct gt_slot *s, char *out, size_t n)
{
	snprintf(out, n, "%s/token", s->dir);
}

int gt_token_save(const struct gt_slot *s)
{
	struct text t = { 0 };
	char path[GT_FILE], line[64];
	int rv;

	snprintf(line, sizeof line, "initialized=%d\nserial=%s\nlabel=", s->initialized, s->serial);
	put_str(&t, line);
	put_hex(&t, s->label, sizeof s->label);
	put_str(&t, "\nso_salt=");
	put_hex(&t, s->so_salt, sizeof s->so_salt);
	put_str(&t, "\nso_hash=");
	put_hex(&t, s->so_hash, sizeof s->so_hash);
	if (s->user_pin_set) {
		put_str(&t, "\nuser_salt=");
		put_hex(&t, s->user_salt, sizeof s->user_salt);
		put_str(&t, "\nuser_hash=");
		put_hex(&t, s->user_hash, sizeof s->user_hash);
	}
	snprintf(line, sizeof line, "\nuser_fails=%d\n", s->user_fails);
	put_str(&t, line);
	token_path(s, path, sizeof path);
	rv = t.err ? -1 : gt_write_atomic(path, t.p, t.len);
	free(t.p);
	return rv;
}

int gt_token_load(struct gt_slot *s)
{
	char path[GT_FILE], *line, *save = NULL;
	unsigned char *data, serial[8];
	size_t len;
	int have_user = 0;

	token_path(s, path, sizeof path);
	memset(s->label, ' ', sizeof s->label);
	s->initialized = s->user_pin_set = s->user_fails = s->logged_in = 0;
	s->next_num = 1;
	if (gt_read_file(path, &data, &len) != 0) {
		if (errno != ENOENT)
			return -1;
		/* A new, uninitialised token with a random serial number. */
		if (!gt_random(serial, sizeof serial))
			return -1;
		for (len = 0; len < sizeof serial; len++)
			snprintf(s->serial + 2 * len, 3, "%02x", serial[len]);
		return gt_token_save(s);
	}
	for (line = strtok_r((char *)data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, '=');
		if (!v)
			continue;
		*v++ = 0;
		if (!strcmp(line, "initialized"))
			s->initialized = atoi(v);
		else if (!strcmp(line, "serial"))
			snprintf(s->serial, sizeof s->serial, "%s", v);
		else if (!strcmp(line, "label"))
			unhex(v, strlen(v), s->label, sizeof s->label);
		else if (!strcmp(line, "so_salt"))
			unhex(v, strlen(v), s->so_salt, sizeof s->so_salt);
		else if (!strcmp(line, "so_hash"))
			unhex(v, strlen(v), s->so_hash, sizeof s->so_hash);
		else if (!strcmp(line, "user_salt"))
			have_user |= unhex(v, strlen(v), s->user_salt, sizeof s->user_salt) == 16;
		else if (!strcmp(line, "user_hash"))
			have_user |= (unhex(v, strlen(v), s->user_hash, sizeof s->user_hash) == 32) << 1;
		else if (!strcmp(line, "user_fails"))
			s->user_fails = atoi(v);
	}
	free(data);
	s->user_pin_set = have_user == 3;
	return 0;
}

/* ---- objects ---- */

static void obj_path(const struct gt_slot *s, long num, const char *ext, char *out, size_t n)
{
	snprintf(out, n, "%s/objects/%06ld.%s", s->dir, num, ext);
}

static int is_cert(const struct gt_object *o)
{
	return gt_attr_ulong(o, CKA_CLASS, CK_UNAVAILABLE_INFORMATION) == CKO_CERTIFICATE;
}

static int save_pem(const char *path, EVP_PKEY *pkey)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int rv = -1;

	if (b && PEM_write_bio_PKCS8PrivateKey(b, pkey, NULL, NULL, 0, NULL, NULL) &&
	    (n = BIO_get_mem_data(b, &p)) > 0)
		rv = gt_write_atomic(path, p, (size_t)n);
	BIO_free(b);
	return rv;
}

int gt_object_save(struct gt_slot *s, struct gt_object *o)
{
	char path[GT_FILE], line[32];
	const struct gt_attr *v = gt_attr_get(o, CKA_VALUE);
	struct text t = { 0 };
	size_t i;
	int rv = 0;

	snprintf(path, sizeof path, "%s/objects", s->dir);
	if (gt_mkdir(path) != 0)
		return -1;
	if (o->pkey) {
		obj_path(s, o->num, "pem", path, sizeof path);
		rv = save_pem(path, o->pkey);
	}
	if (rv == 0 && is_cert(o) && v) {
		obj_path(s, o->num, "der", path, sizeof path);
		rv = gt_write_atomic(path, v->val, v->len);
	}
	for (i = 0; rv == 0 && i < o->nattrs; i++) {
		if (is_cert(o) && o->attrs[i].type == CKA_VALUE)
			continue;
		snprintf(line, sizeof line, "%lx ", (unsigned long)o->attrs[i].type);
		put_str(&t, line);
		put_hex(&t, o->attrs[i].val, o->attrs[i].len);
		put_str(&t, "\n");
	}
	if (rv == 0) {
		obj_path(s, o->num, "attr", path, sizeof path);
		rv = t.err ? -1 : gt_write_atomic(path, t.p, t.len);
	}
	free(t.p);
	if (rv != 0)
		gt_object_remove_files(s, o);
	return rv;
}

void gt_object_remove_files(const struct gt_slot *s, const struct gt_object *o)
{
	static const char *const ext[] = { "attr", "pem", "der" };
	char path[GT_FILE];
	size_t i;
	for (i = 0; i < 3; i++) {
		obj_path(s, o->num, ext[i], path, sizeof path);
		unlink(path);
	}
}

void gt_objects_remove_all(const struct gt_slot *s)
{
	char path[GT_FILE];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "%s/objects", s->dir);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/objects/%s", s->dir, e->d_name);
			unlink(path);
		}
	closedir(d);
}

static int parse_attrs(struct gt_object *o, char *text)
{
	char *line, *save = NULL;
	unsigned char *buf;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		unsigned long type;
		long n;
		if (!sp || sscanf(line, "%lx", &type) != 1)
			return -1;
		sp++;
		if (!(buf = malloc(strlen(sp) / 2 + 1)))
			return -1;
		n = unhex(sp, strlen(sp), buf, strlen(sp) / 2);
		if (n < 0 || !gt_attr_set(o, type, buf, (CK_ULONG)n)) {
			free(buf);
			return -1;
		}
		free(buf);
	}
	return 0;
}

static int load_object(struct gt_slot *s, long num)
{
	char path[GT_FILE];
	struct gt_object *o = gt_object_new();
	unsigned char *data = NULL;
	size_t len;
	int rv = -1;

	if (!o)
		return -1;
	o->num = num;
	obj_path(s, num, "attr", path, sizeof path);
	if (gt_read_file(path, &data, &len) != 0 || parse_attrs(o, (char *)data) != 0)
		goto out;
	free(data);
	data = NULL;
	if (gt_attr_ulong(o, CKA_CLASS, 0) == CKO_PRIVATE_KEY) {
		BIO *b;
		obj_path(s, num, "pem", path, sizeof path);
		if (gt_read_file(path, &data, &len) != 0 || !(b = BIO_new_mem_buf(data, (int)len)))
			goto out;
		o->pkey = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		BIO_free(b);
		if (!o->pkey)
			goto out;
	} else if (is_cert(o)) {
		obj_path(s, num, "der", path, sizeof path);
		if (gt_read_file(path, &data, &len) != 0 || !gt_attr_set(o, CKA_VALUE, data, len))
			goto out;
	}
	gt_object_link(s, o);
	o = NULL;
	rv = 0;
out:
	if (rv != 0)
		fprintf(stderr, "gosttoken: skipping unreadable object %s\n", path);
	free(data);
	gt_object_free(o);
	return rv;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* Loads the token objects in file-number order. */
int gt_objects_load(struct gt_slot *s)
{
	char path[GT_FILE];
	long *nums = NULL, num;
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "%s/objects", s->dir);
	if (gt_mkdir(path) != 0 || !(d = opendir(path)))
		return -1;
	while ((e = readdir(d))) {
		char tail[8];
		if (sscanf(e->d_name, "%ld.%7s", &num, tail) != 2 || strcmp(tail, "attr") != 0)
			continue;
		if (n == cap) {
			long *p = realloc(nums, (cap = cap ? 2 * cap : 16) * sizeof *p);
			if (!p) {
				closedir(d);
				free(nums);
				return -1;
			}
			nums = p;
		}
		nums[n++] = num;
	}
	closedir(d);
	if (n)
		qsort(nums, n, sizeof *nums, cmp_long);
	for (i = 0; i < n; i++) {
		load_object(s, nums[i]);
		if (nums[i] >= s->next_num)
			s->next_num = nums[i] + 1;
	}
	free(nums);
	return 0;
}
