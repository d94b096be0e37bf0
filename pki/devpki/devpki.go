// Package devpki makes a test PKI that looks like a Russian accredited CA's:
// a root CA, the certificate of the head of a legal entity (ИНН ЮЛ, ОГРН,
// СНИЛС, personal ИНН, title, organisation and the qualified-certificate
// extensions of FACTS §6.2), a natural person's certificate (СНИЛС, ИНН), a
// timestamp authority, a delegated OCSP responder and a CRL. Every registration number has valid check
// digits (shared spec mchd/FORMAT.md §11). It is for tests, demos and
// development: the organisation and people are fictitious and the CA is
// trusted by nobody.
//
// Security: the private keys are generated fresh with crypto/rand each time and
// written only where asked, with mode 0600.
package devpki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/ruid"
)

// Party is one key pair with its certificate.
type Party struct {
	Key  *gost3410.PrivateKey
	Cert *pki.Certificate
	// BaseURL, on a CA read by LoadCA, is the PKI's Options.BaseURL:
	// IssueFromRequest names the CRL and OCSP URLs under it.
	BaseURL string
}

// PKI is a test PKI.
type PKI struct {
	CA, Signer, Person, TSA Party
	// OCSP is the CA's delegated OCSP responder (id-kp-OCSPSigning,
	// id-pkix-ocsp-nocheck; RFC 6960 §4.2.2.2).
	OCSP Party
	// CRL is the CA's current revocation list (DER); it revokes nothing.
	CRL []byte
	// BaseURL is Options.BaseURL.
	BaseURL string
}

// Options shape the PKI. The zero value makes tc26-256-A keys valid from an
// hour ago, for ten years (CA) and one year (the others).
type Options struct {
	// ParamSet is the curve of every key; nil means gost3410.TC26256A.
	ParamSet *gost3410.ParamSet
	// Now is the issuing time; zero means time.Now().
	Now time.Time
	// BaseURL, when set (http://127.0.0.1:8319, say), is where 'podpis
	// devpki serve' will answer: the end-entity certificates then name
	// BaseURL/crl/ca.crl as their CRL distribution point and BaseURL/ocsp
	// as their OCSP responder (RFC 5280 §4.2.1.13, §4.2.2.1).
	BaseURL string
}

// CRLURL and OCSPURL are the URLs under base that certificates name and
// Handler serves.
func CRLURL(base string) string  { return strings.TrimSuffix(base, "/") + CRLPath }
func OCSPURL(base string) string { return strings.TrimSuffix(base, "/") + OCSPPath }

// The paths Handler serves.
const (
	CRLPath  = "/crl/ca.crl"
	OCSPPath = "/ocsp"
)

// urls sets t's CRL distribution point and OCSP responder under base.
func urls(base string, t *pki.Template) *pki.Template {
	if base != "" {
		t.CRLDistributionPoints = []string{CRLURL(base)}
		t.OCSPServer = []string{OCSPURL(base)}
	}
	return t
}

// The extKeyUsage extension (RFC 5280 §4.2.1.12) holding only
// id-kp-timeStamping (1.3.6.1.5.5.7.3.8), DER.
var (
	oidExtKeyUsage  = asn1.ObjectIdentifier{2, 5, 29, 37}
	ekuTimeStamping = []byte{0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08}
	oidOCSPNoCheck  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5} // RFC 6960 §4.2.2.2.1
)

// TSAPolicy is the policy of the test TSA's timestamps: id-TEST-certPolicyOne
// (RFC 7229 §2), an OID set aside for testing.
var TSAPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 13, 1}

// Fictitious registration numbers, completed with their check digits by
// ruid (FORMAT.md §11). Region 77 is Moscow.
var (
	caINNLE     = mustComplete("770999001")
	caOGRN      = mustComplete("102779900100")
	orgINNLE    = mustComplete("770812345")
	orgOGRN     = mustComplete("102770812345")
	headINN     = mustComplete("7708123456")
	headSNILS   = mustSNILS("112233445")
	personINN   = mustComplete("7701987654")
	personSNILS = mustSNILS("223344556")
)

func mustComplete(body string) string {
	s, err := ruid.Complete(body)
	if err != nil {
		panic(err)
	}
	return s
}

func mustSNILS(body string) string {
	s, err := ruid.CompleteSNILS(body)
	if err != nil {
		panic(err)
	}
	return s
}

// The sign tools named in the qualified-certificate extensions (FACTS §6.2).
const (
	signTool = "podpis (тестовое средство электронной подписи)"
	caTool   = "podpis devpki (тестовый удостоверяющий центр)"
)

// New makes a test PKI.
func New(opts Options) (*PKI, error) {
	ps := opts.ParamSet
	if ps == nil {
		ps = gost3410.TC26256A
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)
	start := now.Add(-time.Hour)

	p := &PKI{BaseURL: opts.BaseURL}
	var err error
	caName := pki.Name{
		CommonName:    "Тестовый УЦ podpis",
		Organization:  "ООО «Тестовый удостоверяющий центр»",
		Country:       "RU",
		Province:      "77 г. Москва",
		Locality:      "Москва",
		StreetAddress: "ул. Тверская, д. 1",
		Email:         "ca@example.test",
		INNLE:         caINNLE,
		OGRN:          caOGRN,
	}
	if p.CA, err = issue(ps, nil, &pki.Template{
		Subject:   caName,
		NotBefore: start, NotAfter: start.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		IsCA:     true, MaxPathLen: -1,
		SubjectSignTool: signTool,
	}); err != nil {
		return nil, err
	}
	if p.Signer, err = issue(ps, &p.CA, urls(opts.BaseURL, qualified(start, &pki.Template{
		Subject: pki.Name{
			CommonName:    "ООО «Ромашка»",
			Surname:       "Иванов",
			GivenName:     "Иван Петрович",
			Title:         "Генеральный директор",
			Organization:  "ООО «Ромашка»",
			Country:       "RU",
			Province:      "77 г. Москва",
			Locality:      "Москва",
			StreetAddress: "ул. Ленина, д. 10, офис 5",
			Email:         "ivanov@romashka.example",
			INN:           headINN,
			INNLE:         orgINNLE,
			OGRN:          orgOGRN,
			SNILS:         headSNILS,
		},
	}))); err != nil {
		return nil, err
	}
	if p.Person, err = issue(ps, &p.CA, urls(opts.BaseURL, qualified(start, &pki.Template{
		Subject: pki.Name{
			CommonName: "Петрова Мария Сергеевна",
			Surname:    "Петрова",
			GivenName:  "Мария Сергеевна",
			Country:    "RU",
			Province:   "50 Московская область",
			Locality:   "Химки",
			Email:      "petrova@example.test",
			INN:        personINN,
			SNILS:      personSNILS,
		},
	}))); err != nil {
		return nil, err
	}
	if p.TSA, err = issue(ps, &p.CA, urls(opts.BaseURL, &pki.Template{
		Subject: pki.Name{
			CommonName:   "Служба штампов времени podpis",
			Organization: caName.Organization,
			Country:      "RU",
			INNLE:        caINNLE,
			OGRN:         caOGRN,
		},
		NotBefore: start, NotAfter: start.AddDate(5, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		// RFC 3161 §2.3: the TSA certificate carries exactly the timeStamping
		// extended key usage, marked critical (OpenSSL's ts -verify insists).
		ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: ekuTimeStamping}},
	})); err != nil {
		return nil, err
	}
	if p.OCSP, err = issue(ps, &p.CA, &pki.Template{
		Subject: pki.Name{
			CommonName:   "OCSP-служба podpis",
			Organization: caName.Organization,
			Country:      "RU",
			INNLE:        caINNLE,
			OGRN:         caOGRN,
		},
		NotBefore: start, NotAfter: start.AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
		// id-pkix-ocsp-nocheck, value NULL (RFC 6960 §4.2.2.2.1): clients
		// trust the responder for its certificate's lifetime.
		ExtraExtensions: []pkix.Extension{{Id: oidOCSPNoCheck, Value: []byte{0x05, 0x00}}},
	}); err != nil {
		return nil, err
	}
	if p.CRL, err = pki.CreateRevocationList(&pki.CRLTemplate{
		Number:     big.NewInt(1),
		ThisUpdate: start,
		NextUpdate: now.AddDate(0, 0, 30),
	}, p.CA.Cert, p.CA.Key); err != nil {
		return nil, fmt.Errorf("devpki: CRL: %w", err)
	}
	return p, nil
}

// qualified completes t as a qualified certificate of a person (FACTS §6.2):
// valid for a year from start, for signing, with the sign-tool classes КС1
// and КС2, the sign tools, identification in person and the private key usage
// period.
func qualified(start time.Time, t *pki.Template) *pki.Template {
	idPersonal := pki.IdentifiedInPerson
	t.NotBefore, t.NotAfter = start, start.AddDate(1, 0, 0)
	t.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	if t.ExtKeyUsage == nil {
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}
	}
	t.SignToolClasses = []pki.SignToolClass{pki.KC1, pki.KC2}
	t.SubjectSignTool = signTool
	t.IssuerSignTool = &pki.IssuerSignTool{
		SignTool:     signTool,
		CATool:       caTool,
		SignToolCert: "не сертифицировано: только для испытаний",
		CAToolCert:   "не сертифицировано: только для испытаний",
	}
	t.IdentificationKind = &idPersonal
	t.PrivateKeyUsagePeriod = &pki.Period{NotBefore: t.NotBefore, NotAfter: t.NotAfter}
	return t
}

// LoadCA reads the CA of a PKI written by WriteDir.
func LoadCA(dir string) (Party, error) {
	key, err := loadKey(filepath.Join(dir, "ca.key"))
	if err != nil {
		return Party{}, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		return Party{}, err
	}
	cert, err := pki.ParseCertificate(pemBytes(data))
	if err != nil {
		return Party{}, fmt.Errorf("%s: %w", filepath.Join(dir, "ca.pem"), err)
	}
	st, err := LoadState(dir)
	if err != nil {
		return Party{}, err
	}
	return Party{Key: key, Cert: cert, BaseURL: st.BaseURL}, nil
}

// IssueFromRequest issues a qualified certificate, like the signer's and the
// person's, for the subject and key of a PKCS#10 request whose signature
// verifies (the key holder asked for it). now is the issuing time.
func IssueFromRequest(ca Party, req *pki.CertificateRequest, now time.Time) (*pki.Certificate, error) {
	if err := req.CheckSignature(); err != nil {
		return nil, fmt.Errorf("devpki: the request's signature does not verify: %w", err)
	}
	t := urls(ca.BaseURL, qualified(now.UTC().Truncate(time.Second).Add(-time.Hour), &pki.Template{Subject: req.SubjectName}))
	var err error
	if t.SerialNumber, err = pki.RandomSerial(rand.Reader); err != nil {
		return nil, err
	}
	der, err := pki.CreateCertificate(t, ca.Cert, req.PublicKey, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("devpki: certificate for %q: %w", req.SubjectName.CommonName, err)
	}
	return pki.ParseCertificate(der)
}

// issue makes a key on ps and its certificate, signed by parent (self-signed
// when parent is nil).
func issue(ps *gost3410.ParamSet, parent *Party, t *pki.Template) (Party, error) {
	key, err := gost3410.GenerateKey(ps, rand.Reader)
	if err != nil {
		return Party{}, err
	}
	if t.SerialNumber, err = pki.RandomSerial(rand.Reader); err != nil {
		return Party{}, err
	}
	var parentCert *pki.Certificate
	signer := key
	if parent != nil {
		parentCert, signer = parent.Cert, parent.Key
	}
	der, err := pki.CreateCertificate(t, parentCert, key.Public(), signer)
	if err != nil {
		return Party{}, fmt.Errorf("devpki: certificate of %q: %w", t.Subject.CommonName, err)
	}
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		return Party{}, err
	}
	return Party{Key: key, Cert: cert}, nil
}

// Files lists what WriteDir writes, in order.
var Files = []string{"ca.pem", "ca.key", "signer.pem", "signer.key", "person.pem", "person.key", "tsa.pem", "tsa.key",
	"ocsp.pem", "ocsp.key", "crl.pem", StateFile}

// ErrExists is returned by WriteDir when dir already holds a PKI.
var ErrExists = errors.New("devpki: the directory already holds a test PKI")

// WriteDir writes the PKI into dir (created if missing): certificates as PEM,
// keys as PKCS#8 PEM with mode 0600, the CRL as PEM, and the revocation
// state (StateFile) that Revoke and Handler use. Unless force is set, it
// refuses to overwrite any of its files and writes nothing.
func (p *PKI) WriteDir(dir string, force bool) error {
	if !force {
		for _, f := range Files {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				return fmt.Errorf("%w (%s); pass --force to replace it", ErrExists, filepath.Join(dir, f))
			} else if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, x := range []struct {
		name  string
		party Party
	}{{"ca", p.CA}, {"signer", p.Signer}, {"person", p.Person}, {"tsa", p.TSA}, {"ocsp", p.OCSP}} {
		if err := atomicfile.WriteFile(filepath.Join(dir, x.name+".pem"), pemCert(x.party.Cert.Raw), 0o644); err != nil {
			return err
		}
		if err := saveKey(filepath.Join(dir, x.name+".key"), x.party.Key); err != nil {
			return err
		}
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "crl.pem"), pemBlock("X509 CRL", p.CRL), 0o644); err != nil {
		return err
	}
	return (&State{BaseURL: p.BaseURL, CRLNumber: 1}).write(dir)
}
