//go:build cgo

package pkcs11

import (
	"bytes"
	"context"
	"encoding/asn1"
	"fmt"

	"github.com/miekg/pkcs11"

	"github.com/podpis/podpis/pki"
)

// Certificates returns the certificates on the tokens the URI names whose
// label and id fit its object= and id=, without logging in.
func Certificates(ctx context.Context, uri string, opts Options) ([]CertificateObject, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	ts, err := findTokens(u, opts)
	if err != nil {
		return nil, err
	}
	defer ts.close()
	var out []CertificateObject
	for _, r := range ts.matched {
		t, err := r.mod.acquireToken(r.slot, opts.Sessions)
		if err != nil {
			return nil, err
		}
		objs, err := t.objects(ctx)
		t.release()
		if err != nil {
			return nil, err
		}
		add := func(c *object, hasKey bool) {
			if (u.Object == "" || c.label == u.Object) && (u.ID == nil || bytes.Equal(c.id, u.ID)) {
				out = append(out, CertificateObject{Token: r.info.Label, Label: c.label, ID: c.id, Certificate: c.cert, HasKey: hasKey})
			}
		}
		for _, p := range objs.pairs {
			for _, c := range p.certs {
				add(c, true)
			}
		}
		for _, c := range objs.other {
			add(c, false)
		}
	}
	return out, nil
}

// ImportCertificate stores cert on the token next to the key the URI names
// (see Open): a CKO_CERTIFICATE X.509 token object with the key's CKA_ID and
// CKA_LABEL, so that Open pairs them. The certificate's public key must be
// the key's. Importing a certificate already there is a no-op.
func ImportCertificate(ctx context.Context, uri string, cert *pki.Certificate, opts Options) error {
	if cert == nil {
		return fmt.Errorf("pkcs11: ImportCertificate needs a certificate")
	}
	k, err := Open(ctx, uri, opts)
	if err != nil {
		return err
	}
	defer k.Close()
	if cert.PublicKey == nil || !samePublicKey(k.pub, cert.PublicKey) {
		return fmt.Errorf("pkcs11: the certificate for %q is not for key %q on token %q (another public key)",
			cert.SubjectName.String(), k.label, k.Token())
	}
	t := k.tok
	objs, err := t.objects(ctx)
	if err != nil {
		return err
	}
	for _, c := range objs.certificates() {
		if c.Equal(cert) {
			return nil
		}
	}
	serial, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		return err
	}
	tmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, k.label),
		pkcs11.NewAttribute(pkcs11.CKA_ID, k.id),
		pkcs11.NewAttribute(pkcs11.CKA_SUBJECT, cert.RawSubject),
		pkcs11.NewAttribute(pkcs11.CKA_ISSUER, cert.RawIssuer),
		pkcs11.NewAttribute(pkcs11.CKA_SERIAL_NUMBER, serial),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE, cert.Raw),
	}
	return k.use(func() error {
		return t.withRWSession(ctx, func(s pkcs11.SessionHandle) error {
			_, err := t.mod.ctx.CreateObject(s, tmpl)
			return callErr("C_CreateObject", err)
		})
	})
}
