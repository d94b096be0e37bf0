/*
 * engine_bench: the OpenSSL side of podpis's `make bench` (internal/benchcmp).
 *
 * It loads the GOST engine (Debian libengine-gost-openssl) into OpenSSL 3 and
 * measures, in this process and excluding all setup (engine loading, key
 * generation, context creation, self-checks):
 *
 *   streebog256/SIZE, streebog512/SIZE   MB/s (10^6 bytes per second, the unit of
 *       Go's testing.B) for SIZE 8KiB, 64KiB, 1MiB; one iteration is
 *       EVP_DigestInit_ex + EVP_DigestUpdate(whole buffer) + EVP_DigestFinal_ex.
 *   sign/CURVE, verify/CURVE   ops/s of EVP_PKEY_sign / EVP_PKEY_verify over a
 *       precomputed 32- or 64-byte digest, with contexts made once and reused.
 *   cms_verify_nochain, cms_verify_chain   ops/s of d2i_CMS_ContentInfo +
 *       CMS_verify of a detached CAdES-BES (CMS_sign with CMS_CADES: contentType,
 *       signingTime, messageDigest, signingCertificateV2) over 1 KiB, signed by a
 *       CryptoPro-A leaf that a CryptoPro-A CA issued, Streebog-256; CMS_verify
 *       with CMS_BINARY, plus CMS_NO_SIGNER_CERT_VERIFY for nochain; for chain an
 *       X509_STORE holds the CA, so one certificate signature more is checked.
 *       (CMS_CADES is not passed: the plain call, as `openssl cms -verify` makes
 *       it, does not check signingCertificateV2; podpis always does.) The content
 *       BIO is made per iteration, as an application verifying a file would.
 *
 * Figure names are podpis's (the curve names of its CLI), so that Go can put them
 * beside its own benchmarks without translation.
 *
 * Usage: engine_bench [-t seconds] [-r rounds] [-l] [figure ...]
 *   -t  time per figure per round (default 1)
 *   -r  rounds; every figure is measured once per round, rounds interleaved (default 3)
 *   -l  list the figure names and exit
 *   figures: the ones to measure (default all)
 *
 * Output on stdout, one line per figure after the last round:
 *   FIGURE UNIT MEDIAN
 * and lines starting with '#' for information (versions, every round's value).
 * Exit status: 0 done, 3 GOST engine missing or unusable, 2 usage, 1 any other
 * failure; on failure, one line on stderr says what went wrong.
 *
 * Build: cc -O2 -o engine_bench engine_bench.c -lcrypto
 */
#define _POSIX_C_SOURCE 200809L
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/cms.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_NO_ENGINE 3
#define MAX_ROUNDS 50

enum kind { HASH, SIGN, VERIFY, CMS_VERIFY };

struct keyset {
    int nid;              /* NID_id_GostR3410_2012_256 or _512 */
    const char *paramset; /* the engine's "paramset" control value */
    size_t dlen;          /* digest length: 32 or 64 */
    int used;
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *sctx, *vctx;
    unsigned char digest[64];
    unsigned char sig[128];
    size_t siglen;
};

static struct keyset keysets[] = {
#define KEYSET(bits, ps) {.nid = NID_id_GostR3410_2012_##bits, .paramset = ps, .dlen = bits / 8}
    KEYSET(256, "TCA"), /* 0: tc26 256 A (twisted Edwards) */
    KEYSET(256, "A"),   /* 1: CryptoPro-A */
    KEYSET(256, "B"),   /* 2: CryptoPro-B */
    KEYSET(256, "C"),   /* 3: CryptoPro-C */
    KEYSET(512, "A"),   /* 4: tc26 512 A */
    KEYSET(512, "B"),   /* 5: tc26 512 B */
    KEYSET(512, "C"),   /* 6: tc26 512 C (twisted Edwards) */
};

struct figure {
    const char *name;
    enum kind kind;
    int bits;    /* HASH: 256 or 512 */
    size_t size; /* HASH: buffer size */
    int keyset;  /* SIGN, VERIFY: index into keysets */
    int chain;   /* CMS_VERIFY: verify the signer's certificate path too */
    int wanted;
    int n;
    double v[MAX_ROUNDS];
};

#define HASH1(b, label, n) {.name = "streebog" #b "/" label, .kind = HASH, .bits = b, .size = n}
#define HASHES(b) HASH1(b, "8KiB", 8 << 10), HASH1(b, "64KiB", 64 << 10), HASH1(b, "1MiB", 1 << 20)
#define SIGVER(curve, k)                                   \
    {.name = "sign/" curve, .kind = SIGN, .keyset = k},    \
    {.name = "verify/" curve, .kind = VERIFY, .keyset = k}

static struct figure figures[] = {
    HASHES(256),
    HASHES(512),
    SIGVER("256-a", 0),
    SIGVER("cryptopro-a", 1),
    SIGVER("cryptopro-b", 2),
    SIGVER("cryptopro-c", 3),
    SIGVER("512-a", 4),
    SIGVER("512-b", 5),
    SIGVER("512-c", 6),
    {.name = "cms_verify_nochain", .kind = CMS_VERIFY, .chain = 0},
    {.name = "cms_verify_chain", .kind = CMS_VERIFY, .chain = 1},
};
#define NFIGURES (sizeof(figures) / sizeof(figures[0]))
#define NKEYSETS (sizeof(keysets) / sizeof(keysets[0]))

static ENGINE *engine;
static const EVP_MD *md256, *md512;

static void fail(int status, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e != 0)
        ERR_error_string_n(e, buf, sizeof(buf));
    fprintf(stderr, "engine_bench: %s%s%s\n", what, e ? ": " : "", buf);
    exit(status);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the operations under measurement; each returns 1 on success ---- */

struct hash_job {
    const EVP_MD *md;
    EVP_MD_CTX *ctx;
    unsigned char *buf;
    size_t size;
    unsigned char out[EVP_MAX_MD_SIZE];
};

static int op_hash(void *arg)
{
    struct hash_job *j = arg;
    unsigned int outlen = 0;
    return EVP_DigestInit_ex(j->ctx, j->md, NULL) == 1 &&
           EVP_DigestUpdate(j->ctx, j->buf, j->size) == 1 &&
           EVP_DigestFinal_ex(j->ctx, j->out, &outlen) == 1;
}

static int op_sign(void *arg)
{
    struct keyset *k = arg;
    unsigned char sig[sizeof(k->sig)];
    size_t siglen = sizeof(sig);
    return EVP_PKEY_sign(k->sctx, sig, &siglen, k->digest, k->dlen) == 1;
}

static int op_verify(void *arg)
{
    struct keyset *k = arg;
    return EVP_PKEY_verify(k->vctx, k->sig, k->siglen, k->digest, k->dlen) == 1;
}

/* The CMS figures' fixture: a DER SignedData, its content and a trust store. */
static struct cms_job {
    unsigned char *der;
    long derlen;
    unsigned char data[1024];
    X509_STORE *store;
    int flags;
} cms_job;

static int op_cms_verify(void *arg)
{
    struct cms_job *j = arg;
    const unsigned char *p = j->der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, j->derlen);
    BIO *dcont = BIO_new_mem_buf(j->data, sizeof(j->data));
    int ok = cms != NULL && dcont != NULL && CMS_verify(cms, NULL, j->store, dcont, NULL, j->flags) == 1;
    BIO_free(dcont);
    CMS_ContentInfo_free(cms);
    return ok;
}

/*
 * run_for repeats op for at least `seconds` after a short warm-up and returns the
 * iterations done per second of elapsed time.
 */
static double run_for(int (*op)(void *), void *arg, double seconds, const char *name)
{
    double warm = seconds / 20, t0 = seconds_now(), t;
    do {
        if (!op(arg))
            fail(1, name);
    } while (seconds_now() - t0 < warm);

    long n = 0;
    t0 = seconds_now();
    do {
        if (!op(arg))
            fail(1, name);
        n++;
        t = seconds_now();
    } while (t - t0 < seconds);
    return (double)n / (t - t0);
}

/* ---- setup and self-checks (not timed) ---- */

static void load_engine(void)
{
    ENGINE_load_builtin_engines();
    engine = ENGINE_by_id("gost");
    if (engine == NULL)
        fail(EXIT_NO_ENGINE, "GOST engine not found (ENGINE_by_id(\"gost\"))");
    if (!ENGINE_init(engine))
        fail(EXIT_NO_ENGINE, "GOST engine failed to initialise");
    /* as an application configured with the engine would run: its methods are the defaults */
    if (!ENGINE_set_default(engine, ENGINE_METHOD_ALL))
        fail(EXIT_NO_ENGINE, "GOST engine cannot be made the default");
    md256 = ENGINE_get_digest(engine, NID_id_GostR3411_2012_256);
    md512 = ENGINE_get_digest(engine, NID_id_GostR3411_2012_512);
    if (md256 == NULL || md512 == NULL)
        fail(EXIT_NO_ENGINE, "GOST engine has no Streebog digests");
}

static void hexstr(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = 0;
}

/* The digests must be Streebog: RFC 6986 example 1, in the byte order OpenSSL prints. */
static void check_digests(void)
{
    static const char m1[] = "012345678901234567890123456789012345678901234567890123456789012";
    static const struct {
        const EVP_MD **md;
        const char *want;
    } kat[] = {
        {&md256, "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"},
        {&md512, "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
                 "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"},
    };
    for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int outlen = 0;
        char got[2 * EVP_MAX_MD_SIZE + 1];
        if (!EVP_Digest(m1, sizeof(m1) - 1, out, &outlen, *kat[i].md, NULL))
            fail(1, "EVP_Digest");
        hexstr(out, outlen, got);
        if (strcmp(got, kat[i].want) != 0) {
            fprintf(stderr, "engine_bench: Streebog self-check failed: got %s\n", got);
            exit(1);
        }
    }
}

static void setup_keyset(struct keyset *k)
{
    EVP_PKEY_CTX *g = EVP_PKEY_CTX_new_id(k->nid, NULL);
    if (g == NULL || EVP_PKEY_keygen_init(g) != 1)
        fail(EXIT_NO_ENGINE, "GOST R 34.10-2012 keys not available");
    if (EVP_PKEY_CTX_ctrl_str(g, "paramset", k->paramset) != 1)
        fail(1, "unknown paramset");
    if (EVP_PKEY_keygen(g, &k->pkey) != 1)
        fail(1, "key generation");
    EVP_PKEY_CTX_free(g);

    k->sctx = EVP_PKEY_CTX_new(k->pkey, NULL);
    k->vctx = EVP_PKEY_CTX_new(k->pkey, NULL);
    if (k->sctx == NULL || k->vctx == NULL || EVP_PKEY_sign_init(k->sctx) != 1 ||
        EVP_PKEY_verify_init(k->vctx) != 1)
        fail(1, "signature contexts");
    if (RAND_bytes(k->digest, sizeof(k->digest)) != 1)
        fail(1, "RAND_bytes");

    k->siglen = sizeof(k->sig);
    if (EVP_PKEY_sign(k->sctx, k->sig, &k->siglen, k->digest, k->dlen) != 1)
        fail(1, "sign");
    if (k->siglen != 2 * k->dlen)
        fail(1, "unexpected signature length");
    if (!op_verify(k))
        fail(1, "a fresh signature does not verify");
    k->digest[k->dlen - 1] ^= 0x80;
    int forged = EVP_PKEY_verify(k->vctx, k->sig, k->siglen, k->digest, k->dlen) == 1;
    k->digest[k->dlen - 1] ^= 0x80;
    ERR_clear_error();
    if (forged)
        fail(1, "a signature verified against another digest");
}

static EVP_PKEY *new_key(int nid, const char *paramset)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *g = EVP_PKEY_CTX_new_id(nid, NULL);
    if (g == NULL || EVP_PKEY_keygen_init(g) != 1)
        fail(EXIT_NO_ENGINE, "GOST R 34.10-2012 keys not available");
    if (EVP_PKEY_CTX_ctrl_str(g, "paramset", paramset) != 1 || EVP_PKEY_keygen(g, &pkey) != 1)
        fail(1, "key generation");
    EVP_PKEY_CTX_free(g);
    return pkey;
}

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    if (ext == NULL || !X509_add_ext(x, ext, -1))
        fail(1, "certificate extension");
    X509_EXTENSION_free(ext);
}

/* make_cert issues a certificate for key, signed by issuer_key (self-signed when issuer is NULL). */
static X509 *make_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *cn, long serial)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    if (x == NULL || name == NULL || !X509_set_version(x, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(x), serial) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) ||
        !X509_set_subject_name(x, name) || !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -86400) || !X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650) ||
        !X509_set_pubkey(x, key))
        fail(1, "certificate fields");
    X509_NAME_free(name);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    if (issuer == NULL) {
        add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature,nonRepudiation");
        add_ext(x, &ctx, NID_ext_key_usage, "emailProtection");
        add_ext(x, &ctx, NID_authority_key_identifier, "keyid");
    }
    add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    if (!X509_sign(x, issuer_key, md256))
        fail(1, "certificate signature");
    return x;
}

/* setup_cms makes the CMS figures' CA, leaf and signature and checks them. */
static void setup_cms(void)
{
    EVP_PKEY *ca_key = new_key(NID_id_GostR3410_2012_256, "A");
    EVP_PKEY *leaf_key = new_key(NID_id_GostR3410_2012_256, "A");
    X509 *ca = make_cert(ca_key, NULL, ca_key, "engine_bench CA", 1);
    X509 *leaf = make_cert(leaf_key, ca, ca_key, "engine_bench signer", 2);
    struct cms_job *j = &cms_job;
    for (size_t i = 0; i < sizeof(j->data); i++)
        j->data[i] = "0123456789abcdef"[i % 16];
    BIO *in = BIO_new_mem_buf(j->data, sizeof(j->data));
    CMS_ContentInfo *cms = CMS_sign(leaf, leaf_key, NULL, in, CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_CADES);
    if (cms == NULL)
        fail(1, "CMS_sign");
    j->der = NULL;
    j->derlen = i2d_CMS_ContentInfo(cms, &j->der);
    if (j->derlen <= 0)
        fail(1, "i2d_CMS_ContentInfo");
    j->store = X509_STORE_new();
    if (j->store == NULL || !X509_STORE_add_cert(j->store, ca))
        fail(1, "X509_STORE");
    int flags[] = {CMS_BINARY, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY};
    for (int i = 0; i < 2; i++) {
        j->flags = flags[i];
        if (!op_cms_verify(j))
            fail(1, "a fresh CMS signature does not verify");
        j->data[0] ^= 1;
        int forged = op_cms_verify(j);
        j->data[0] ^= 1;
        ERR_clear_error();
        if (forged)
            fail(1, "a CMS signature verified over other content");
    }
    BIO_free(in);
    CMS_ContentInfo_free(cms);
    X509_free(ca);
    X509_free(leaf);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
}

/* ---- measuring and reporting ---- */

static double measure(struct figure *f, double seconds)
{
    if (f->kind == HASH) {
        struct hash_job j = {.md = f->bits == 256 ? md256 : md512,
                             .ctx = EVP_MD_CTX_new(),
                             .buf = malloc(f->size),
                             .size = f->size};
        if (j.ctx == NULL || j.buf == NULL)
            fail(1, "out of memory");
        for (size_t i = 0; i < f->size; i++)
            j.buf[i] = (unsigned char)(i * 131 + 7);
        double rate = run_for(op_hash, &j, seconds, f->name) * (double)f->size / 1e6;
        EVP_MD_CTX_free(j.ctx);
        free(j.buf);
        return rate;
    }
    if (f->kind == CMS_VERIFY) {
        cms_job.flags = CMS_BINARY | (f->chain ? 0 : CMS_NO_SIGNER_CERT_VERIFY);
        return run_for(op_cms_verify, &cms_job, seconds, f->name);
    }
    struct keyset *k = &keysets[f->keyset];
    return run_for(f->kind == SIGN ? op_sign : op_verify, k, seconds, f->name);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[MAX_ROUNDS];
    memcpy(s, v, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), by_value);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void usage(void)
{
    fprintf(stderr, "usage: engine_bench [-t seconds] [-r rounds] [-l] [figure ...]\n");
    exit(EXIT_USAGE);
}

int main(int argc, char **argv)
{
    double seconds = 1;
    int rounds = 3, opt;
    while ((opt = getopt(argc, argv, "t:r:l")) != -1) {
        char *end;
        switch (opt) {
        case 't':
            seconds = strtod(optarg, &end);
            if (*end != 0 || !(seconds > 0 && seconds <= 3600))
                usage();
            break;
        case 'r':
            rounds = (int)strtol(optarg, &end, 10);
            if (*end != 0 || rounds < 1 || rounds > MAX_ROUNDS)
                usage();
            break;
        case 'l':
            for (size_t i = 0; i < NFIGURES; i++)
                printf("%s\n", figures[i].name);
            return 0;
        default:
            usage();
        }
    }
    for (size_t i = 0; i < NFIGURES; i++)
        figures[i].wanted = optind == argc;
    for (int a = optind; a < argc; a++) {
        size_t i = 0;
        while (i < NFIGURES && strcmp(figures[i].name, argv[a]) != 0)
            i++;
        if (i == NFIGURES) {
            fprintf(stderr, "engine_bench: unknown figure %s (-l lists them)\n", argv[a]);
            exit(EXIT_USAGE);
        }
        figures[i].wanted = 1;
    }

    load_engine();
    check_digests();
    int cms_used = 0;
    for (size_t i = 0; i < NFIGURES; i++) {
        if (figures[i].wanted && (figures[i].kind == SIGN || figures[i].kind == VERIFY))
            keysets[figures[i].keyset].used = 1;
        cms_used |= figures[i].wanted && figures[i].kind == CMS_VERIFY;
    }
    if (cms_used)
        setup_cms();
    for (size_t i = 0; i < NKEYSETS; i++)
        if (keysets[i].used)
            setup_keyset(&keysets[i]);

    printf("# %s; engine %s (%s)\n", OpenSSL_version(OPENSSL_VERSION), ENGINE_get_id(engine),
           ENGINE_get_name(engine));
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < NFIGURES; i++)
            if (figures[i].wanted) {
                struct figure *f = &figures[i];
                f->v[f->n++] = measure(f, seconds);
            }
    }
    for (size_t i = 0; i < NFIGURES; i++) {
        struct figure *f = &figures[i];
        if (!f->wanted)
            continue;
        const char *unit = f->kind == HASH ? "MB/s" : "ops/s";
        printf("# %s rounds:", f->name);
        for (int r = 0; r < f->n; r++)
            printf(" %.1f", f->v[r]);
        printf("\n%s %s %.1f\n", f->name, unit, median(f->v, f->n));
    }

    for (size_t i = 0; i < NKEYSETS; i++) {
        EVP_PKEY_CTX_free(keysets[i].sctx);
        EVP_PKEY_CTX_free(keysets[i].vctx);
        EVP_PKEY_free(keysets[i].pkey);
    }
    X509_STORE_free(cms_job.store);
    OPENSSL_free(cms_job.der);
    ENGINE_finish(engine);
    ENGINE_free(engine);
    return 0;
}
