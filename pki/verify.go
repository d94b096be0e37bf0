package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"
)

// maxSignatureChecks bounds the signatures one Verify call checks, as
// crypto/x509 does (maxChainSignatureChecks), so that a hostile pool of
// look-alike intermediates cannot make path building take forever.
const maxSignatureChecks = 100

// maxPathDepth bounds the number of certificates in a path.
const maxPathDepth = 16

// VerifyOptions are the inputs of Verify. The zero value verifies at the
// present time and fails, having no roots.
type VerifyOptions struct {
	// Roots are the trust anchors. Verify trusts no certificate otherwise.
	Roots *CertPool
	// Intermediates are certificates that may be used to reach a root.
	Intermediates *CertPool
	// CurrentTime is the validation time; zero means now.
	CurrentTime time.Time
	// KeyUsages lists extended key usages of which the path must allow at
	// least one (every certificate that carries extKeyUsage must list it or
	// anyExtendedKeyUsage). Empty, or containing x509.ExtKeyUsageAny,
	// means no check — unlike crypto/x509, where empty means serverAuth.
	KeyUsages []x509.ExtKeyUsage
}

// Verify builds certification paths from c to a certificate in opts.Roots
// through opts.Intermediates and returns every one it finds, each starting
// with c and ending with a root.
//
// On each path (RFC 5280 §6.1, reduced to what Russian qualified PKI needs)
// every certificate, the root included, must be valid at CurrentTime; each
// issuer's name must match its child's issuer name and its key must verify
// the child's signature; each issuer must be a CA (basicConstraints cA, or a
// version 1 root as OpenSSL allows), with keyCertSign when it has keyUsage and
// a pathLenConstraint the path respects; no certificate may carry a critical
// extension podpis does not handle; and the extended key usages asked for
// must be allowed. Among several issuers with the right name, the one whose
// subject key identifier matches the child's authority key identifier is
// tried first. At most 100 signatures are checked.
//
// Verify does not check revocation (package verify does, with CRLs and
// OCSP), name constraints, or policies beyond recording them, and it does
// not check the leaf's own keyUsage: that depends on what the key is used for.
//
// When no path is found the error is a *PathError: the first real failure
// met (an expired intermediate, a bad signature …), or CHAIN_UNTRUSTED when
// nothing but the lack of a root stood in the way.
func (c *Certificate) Verify(opts VerifyOptions) ([][]*Certificate, error) {
	now := opts.CurrentTime
	if now.IsZero() {
		now = time.Now()
	}
	if perr := checkValidity(c, now); perr != nil {
		return nil, perr
	}
	if perr := checkCritical(c); perr != nil {
		return nil, perr
	}
	if opts.Roots.Len() == 0 {
		return nil, &PathError{Code: CodeChainUntrusted, Cert: c, Detail: "no trust anchors given"}
	}
	b := &builder{opts: opts, now: now, budget: maxSignatureChecks}
	if opts.Roots.Contains(c) {
		b.chains = [][]*Certificate{{c}}
	} else {
		b.extend([]*Certificate{c})
	}
	chains := b.chains
	if len(chains) > 0 && wantEKU(opts.KeyUsages) {
		var eku *PathError
		chains = slices.DeleteFunc(chains, func(chain []*Certificate) bool {
			perr := checkEKU(chain, opts.KeyUsages)
			if perr != nil && eku == nil {
				eku = perr
			}
			return perr != nil
		})
		if len(chains) == 0 {
			return nil, eku
		}
	}
	if len(chains) > 0 {
		return chains, nil
	}
	if b.hint != nil {
		return nil, b.hint
	}
	top := b.deepest
	if top == nil {
		top = c
	}
	return nil, &PathError{Code: CodeChainUntrusted, Cert: top,
		Detail: fmt.Sprintf("no trusted issuer found for %q", top.IssuerName.String())}
}

// builder is one path search: a depth-first walk from the leaf towards the
// roots, as crypto/x509's buildChains does.
type builder struct {
	opts    VerifyOptions
	now     time.Time
	budget  int
	chains  [][]*Certificate
	hint    *PathError   // the first real failure
	deepest *Certificate // the top of the longest path tried, for CHAIN_UNTRUSTED
	depth   int
}

func (b *builder) fail(perr *PathError) {
	if b.hint == nil {
		b.hint = perr
	}
}

// extend tries every issuer of the last certificate of path.
func (b *builder) extend(path []*Certificate) {
	cur := path[len(path)-1]
	if len(path) > b.depth {
		b.depth, b.deepest = len(path), cur
	}
	for _, src := range []struct {
		pool *CertPool
		root bool
	}{{b.opts.Roots, true}, {b.opts.Intermediates, false}} {
		cands, mismatch := src.pool.issuerCandidates(cur)
		for i, cand := range cands {
			if inPath(path, cand) || (!src.root && b.opts.Roots.Contains(cand)) {
				continue
			}
			if b.budget == 0 {
				b.fail(&PathError{Code: CodeTooManySignatureChecks, Cert: cur,
					Detail: fmt.Sprintf("gave up after %d signature checks", maxSignatureChecks)})
				return
			}
			b.budget--
			if err := cur.CheckSignatureFrom(cand); err != nil {
				if !mismatch[i] {
					code := CodeCertSignatureInvalid
					if errors.Is(err, ErrUnsupportedAlgorithm) {
						code = CodeAlgorithmUnsupported
					}
					b.fail(&PathError{Code: code, Cert: cur, Detail: fmt.Sprintf("issuer %q", displayCN(cand)), Err: err})
				}
				continue
			}
			if perr := b.checkIssuer(cand, path, src.root); perr != nil {
				b.fail(perr)
				continue
			}
			next := append(slices.Clip(path), cand)
			switch {
			case src.root:
				b.chains = append(b.chains, next)
			case len(next) < maxPathDepth:
				b.extend(next)
			default:
				b.fail(&PathError{Code: CodePathTooLong, Cert: cand, Detail: fmt.Sprintf("more than %d certificates", maxPathDepth)})
			}
		}
	}
}

// checkIssuer applies the rules on an issuer of path's last certificate
// (RFC 5280 §6.1.3 (a)(2), §6.1.4 (k), (l), (n), (o)).
func (b *builder) checkIssuer(cand *Certificate, path []*Certificate, root bool) *PathError {
	if perr := checkValidity(cand, b.now); perr != nil {
		return perr
	}
	if perr := checkCritical(cand); perr != nil {
		return perr
	}
	v1Root := root && cand.Version == 1
	if !v1Root && (!cand.BasicConstraintsValid || !cand.IsCA) {
		return &PathError{Code: CodeNotACA, Cert: cand, Detail: "issuer without basicConstraints cA=TRUE"}
	}
	if cand.KeyUsage != 0 && cand.KeyUsage&x509.KeyUsageCertSign == 0 {
		return &PathError{Code: CodeKeyUsage, Cert: cand, Detail: "issuer's keyUsage lacks keyCertSign"}
	}
	if cand.BasicConstraintsValid && (cand.MaxPathLen > 0 || cand.MaxPathLenZero) {
		// Intermediate CAs below cand, self-issued ones not counted (§6.1.4 (l)).
		n := 0
		for _, p := range path[1:] {
			if !selfIssued(p) {
				n++
			}
		}
		if n > cand.MaxPathLen {
			return &PathError{Code: CodePathTooLong, Cert: cand,
				Detail: fmt.Sprintf("pathLenConstraint %d, %d CA certificates below", cand.MaxPathLen, n)}
		}
	}
	return nil
}

func checkCritical(c *Certificate) *PathError {
	if len(c.UnhandledCriticalExtensions) > 0 {
		return &PathError{Code: CodeUnhandledCritical, Cert: c,
			Detail: fmt.Sprintf("critical extension %v", c.UnhandledCriticalExtensions[0])}
	}
	return nil
}

// inPath reports whether cand, or a certificate with its name and key, is
// already on the path: following it would loop.
func inPath(path []*Certificate, cand *Certificate) bool {
	for _, p := range path {
		if bytes.Equal(p.Raw, cand.Raw) ||
			(bytes.Equal(p.RawSubjectPublicKeyInfo, cand.RawSubjectPublicKeyInfo) && nameKey(p.Subject) == nameKey(cand.Subject)) {
			return true
		}
	}
	return false
}

func selfIssued(c *Certificate) bool {
	return nameKey(c.Subject) == nameKey(c.Issuer)
}

func wantEKU(usages []x509.ExtKeyUsage) bool {
	return len(usages) > 0 && !slices.Contains(usages, x509.ExtKeyUsageAny)
}

// checkEKU reports whether every certificate on chain that restricts
// extended key usage allows one of usages (as crypto/x509 nests them).
func checkEKU(chain []*Certificate, usages []x509.ExtKeyUsage) *PathError {
	for _, c := range chain {
		if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
			continue
		}
		if slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageAny) {
			continue
		}
		if !slices.ContainsFunc(usages, func(u x509.ExtKeyUsage) bool { return slices.Contains(c.ExtKeyUsage, u) }) {
			return &PathError{Code: CodeExtKeyUsage, Cert: c, Detail: fmt.Sprintf("extKeyUsage does not allow %v", usages)}
		}
	}
	return nil
}
