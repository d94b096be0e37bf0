package verify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/cms"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

var content = []byte("Доверенность № 1")

type fixture struct {
	p     *devpki.PKI
	roots *pki.CertPool
	sig   []byte // detached CAdES-BES by p.Signer over content
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	sig, err := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: p.Signer.Key, Certificate: p.Signer.Cert}, cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{p: p, roots: roots, sig: sig}
}

func (f *fixture) crl(t *testing.T, issuer devpki.Party, revoked ...pki.RevokedCertificate) *pki.RevocationList {
	t.Helper()
	now := time.Now()
	der, err := pki.CreateRevocationList(&pki.CRLTemplate{
		Number: big.NewInt(2), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(24 * time.Hour), Revoked: revoked,
	}, issuer.Cert, issuer.Key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := pki.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func run(t *testing.T, sig, data []byte, opts Options) *Report {
	t.Helper()
	var content io.Reader // nil for an attached signature or a missing document
	if data != nil {
		content = bytes.NewReader(data)
	}
	rep, err := CMS(context.Background(), sig, content, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestVerdicts(t *testing.T) {
	f := newFixture(t)
	p := f.p
	otherRoots := pki.NewCertPool()
	otherRoots.AddCert(p.Person.Cert)
	crlOK := f.crl(t, p.CA)
	revokedSigner := f.crl(t, p.CA, pki.RevokedCertificate{SerialNumber: p.Signer.Cert.SerialNumber, RevocationTime: time.Now().Add(-30 * time.Second), ReasonCode: 1})
	otherCA, _ := devpki.New(devpki.Options{})
	foreignCRL := f.crl(t, otherCA.CA)

	tampered := bytes.Clone(f.sig)
	tampered[len(tampered)-5] ^= 1 // inside the signature value

	for _, tc := range []struct {
		name string
		sig  []byte
		data []byte
		opts Options
		ind  Indication
		sub  SubIndication
		code Code
		rev  RevocationStatus
	}{
		{"valid, CRL", f.sig, content, Options{Roots: f.roots, CRLs: []*pki.RevocationList{crlOK}}, TotalPassed, "", CodeOK, NotRevoked},
		{"valid, no CRL", f.sig, content, Options{Roots: f.roots}, TotalPassed, "", CodeOK, RevocationNotChecked},
		{"tampered content", f.sig, []byte("Доверенность № 2"), Options{Roots: f.roots}, TotalFailed, HashFailure, CodeContentMismatch, RevocationNotChecked},
		{"tampered signature", tampered, content, Options{Roots: f.roots}, TotalFailed, SigCryptoFailure, CodeSignatureInvalid, RevocationNotChecked},
		{"no content", f.sig, nil, Options{Roots: f.roots}, Indeterminate, SignedDataNotFound, CodeContentMissing, RevocationNotChecked},
		{"untrusted", f.sig, content, Options{Roots: otherRoots}, Indeterminate, NoCertificateChainFound, CodeChainUntrusted, RevocationNotChecked},
		{"no roots", f.sig, content, Options{}, Indeterminate, NoCertificateChainFound, CodeChainUntrusted, RevocationNotChecked},
		{"expired", f.sig, content, Options{Roots: f.roots, At: time.Now().AddDate(2, 0, 0)}, Indeterminate, OutOfBoundsNoPOE, CodeCertExpired, RevocationNotChecked},
		{"not yet valid", f.sig, content, Options{Roots: f.roots, At: time.Now().AddDate(0, 0, -1)}, Indeterminate, NotYetValid, CodeCertNotYetValid, RevocationNotChecked},
		{"revoked", f.sig, content, Options{Roots: f.roots, CRLs: []*pki.RevocationList{crlOK, revokedSigner}}, TotalFailed, Revoked, CodeCertRevoked, RevocationRevoked},
		{"revoked later than validation time", f.sig, content, Options{Roots: f.roots, CRLs: []*pki.RevocationList{revokedSigner}, At: time.Now().Add(-time.Minute)}, TotalPassed, "", CodeOK, NotRevoked},
		{"CRL of another CA", f.sig, content, Options{Roots: f.roots, CRLs: []*pki.RevocationList{foreignCRL}}, Indeterminate, TryLater, CodeRevocationUnknown, RevocationUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := run(t, tc.sig, tc.data, tc.opts)
			if len(rep.Signatures) != 1 {
				t.Fatalf("%d signatures", len(rep.Signatures))
			}
			s := rep.Signatures[0]
			if s.Indication != tc.ind || s.SubIndication != tc.sub || s.Code != tc.code || s.Revocation != tc.rev {
				t.Fatalf("got %s/%s %s rev %s (%s), want %s/%s %s rev %s", s.Indication, s.SubIndication, s.Code, s.Revocation, s.Detail, tc.ind, tc.sub, tc.code, tc.rev)
			}
			if rep.Indication != tc.ind {
				t.Errorf("overall %s, want %s", rep.Indication, tc.ind)
			}
			if s.Signer == nil || s.Signer.Surname != "Иванов" || s.Signer.INNLE == "" {
				t.Errorf("signer not reported: %+v", s.Signer)
			}
		})
	}
}

// A revoked CA in the path makes the signature INDETERMINATE/REVOKED_CA_NO_POE.
func TestRevokedCA(t *testing.T) {
	p, _ := devpki.New(devpki.Options{})
	// An intermediate CA under p.CA, and a signer under it.
	interKey, interCert := issue(t, p.CA, "Подчинённый УЦ", true)
	leafKey, leafCert := issue(t, devpki.Party{Key: interKey, Cert: interCert}, "Сидоров", false)
	sig, err := cms.Sign(bytes.NewReader(content), cms.SignerConfig{Signer: leafKey, Certificate: leafCert, Chain: []*pki.Certificate{interCert}}, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{p: p}
	roots := pki.NewCertPool()
	roots.AddCert(p.CA.Cert)
	rootCRL := f.crl(t, p.CA, pki.RevokedCertificate{SerialNumber: interCert.SerialNumber, RevocationTime: time.Now().Add(-time.Minute)})
	interCRL := f.crl(t, devpki.Party{Key: interKey, Cert: interCert})
	rep := run(t, sig, nil, Options{Roots: roots, CRLs: []*pki.RevocationList{rootCRL, interCRL}})
	s := rep.Signatures[0]
	if s.Code != CodeCARevoked || s.SubIndication != RevokedCANoPOE || len(s.Chain) != 0 && s.Chain[1].Subject != "Подчинённый УЦ" {
		t.Fatalf("got %s/%s %s: %s", s.Indication, s.SubIndication, s.Code, s.Detail)
	}
	// Without the revocation, the three-certificate path passes.
	rep = run(t, sig, nil, Options{Roots: roots, CRLs: []*pki.RevocationList{f.crl(t, p.CA), interCRL}})
	if s := rep.Signatures[0]; s.Code != CodeOK || len(s.Chain) != 3 {
		t.Fatalf("got %s with a chain of %d: %s", s.Code, len(s.Chain), s.Detail)
	}
}

func issue(t *testing.T, parent devpki.Party, cn string, ca bool) (*gostKey, *pki.Certificate) {
	t.Helper()
	key, err := newKey()
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := pki.RandomSerial(rand.Reader)
	tpl := &pki.Template{SerialNumber: serial, Subject: pki.Name{CommonName: cn, Surname: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
	if ca {
		tpl.IsCA, tpl.MaxPathLen = true, -1
		tpl.KeyUsage = 1<<5 | 1<<6 // keyCertSign | cRLSign
	}
	der, err := pki.CreateCertificate(tpl, parent.Cert, key.Public(), parent.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, c
}

func TestTwoSignersReportedApart(t *testing.T) {
	f := newFixture(t)
	both, err := cms.AddSigner(f.sig, bytes.NewReader(content), cms.SignerConfig{Signer: f.p.Person.Key, Certificate: f.p.Person.Cert})
	if err != nil {
		t.Fatal(err)
	}
	rep := run(t, both, content, Options{Roots: f.roots})
	if len(rep.Signatures) != 2 || rep.Indication != TotalPassed {
		t.Fatalf("%d signatures, %s", len(rep.Signatures), rep.Indication)
	}
	// Under another CA both are undecided, and so is the whole.
	other, _ := devpki.New(devpki.Options{})
	roots := pki.NewCertPool()
	roots.AddCert(other.CA.Cert)
	if rep := run(t, both, content, Options{Roots: roots}); rep.Indication != Indeterminate {
		t.Fatalf("overall %s", rep.Indication)
	}
}

func TestReportOutput(t *testing.T) {
	f := newFixture(t)
	rep := run(t, f.sig, content, Options{Roots: f.roots})
	var ru, en bytes.Buffer
	if err := rep.WriteText(&ru, Russian); err != nil {
		t.Fatal(err)
	}
	rep.WriteText(&en, English)
	for _, want := range []string{"ПОДПИСЬ ДЕЙСТВИТЕЛЬНА", "Подписант: Иванов Иван Петрович, Генеральный директор", "СНИЛС 11223344595", "Отзыв: не проверялся"} {
		if !strings.Contains(ru.String(), want) {
			t.Errorf("Russian report lacks %q:\n%s", want, ru.String())
		}
	}
	for _, want := range []string{"SIGNATURE VALID", "INN (legal entity)", "Revocation: not checked"} {
		if !strings.Contains(en.String(), want) {
			t.Errorf("English report lacks %q:\n%s", want, en.String())
		}
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil || back.Signatures[0].Signer.SNILS != "11223344595" {
		t.Fatalf("JSON round trip: %v", err)
	}
	// Every code a person can meet has words in both languages.
	for _, c := range []Code{CodeFormatFailure, CodeSignatureInvalid, CodeContentMismatch, CodeContentMissing, CodeSignerCertNotFound,
		CodeSigningCertMismatch, CodeAlgorithmUnsupported, CodeTimestampInvalid, CodeCertExpired, CodeCertNotYetValid, CodeChainUntrusted,
		CodeCertSignatureInvalid, CodeChainConstraints, CodeCertRevoked, CodeCARevoked, CodeRevocationUnknown, CodeRevocationNotChecked, CodeSigningTimeFromSigner} {
		if w := codeText[c]; w[0] == "" || w[1] == "" {
			t.Errorf("no words for %s", c)
		}
	}
}

func TestNotASignature(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("garbage"), {0x30, 0x80}} {
		if _, err := CMS(context.Background(), in, nil, Options{}); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := newFixture(t)
	if _, err := CMS(ctx, f.sig, nil, Options{}); err == nil {
		t.Error("cancelled context: no error")
	}
}

// A library caller that sets only Options.Trust gets its anchors everywhere
// a path is built: the signature, and the representative's certificate of
// an MCHD power question (mchd_match.go builds that path with
// Options.roots()).
func TestTrustWithoutRoots(t *testing.T) {
	f := newMCHDFixture(t)
	store := NewTrustStore()
	if err := store.AddCertificates(pemBlockCert(f.p.CA.Cert.Raw), "ca.pem"); err != nil {
		t.Fatal(err)
	}
	if got := (&Options{Trust: store}).roots(); got.Len() != 1 {
		t.Fatalf("roots of Trust alone: %d", got.Len())
	}
	both := (&Options{Roots: f.roots, Trust: store}).roots()
	if both.Len() != 1 { // the same anchor twice is one
		t.Fatalf("roots of Roots and Trust: %d", both.Len())
	}
	file := f.file(t, f.poa(t, today(), 30), f.p.Signer)
	rep, err := MCHD(context.Background(), file, MCHDOptions{Options: Options{Trust: store}, Power: "KLASS_2.0_SIGN", Representative: f.p.Person.Cert})
	if err != nil {
		t.Fatal(err)
	}
	wantMCHD(t, rep, TotalPassed, CodeOK)
	// Without any anchors the representative's certificate has no path.
	rep, err = MCHD(context.Background(), file, MCHDOptions{Power: "KLASS_2.0_SIGN", Representative: f.p.Person.Cert})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indication == TotalPassed {
		t.Fatal("passed with no trust anchors")
	}
}

func pemBlockCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
