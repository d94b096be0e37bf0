package devpki

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/podpis/podpis/internal/atomicfile"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/ocsp"
)

// StateFile is the file in a PKI directory that records the revocations and
// the base URL.
const StateFile = "state.json"

// State is what a PKI directory remembers besides keys and certificates.
type State struct {
	// BaseURL is Options.BaseURL of the PKI.
	BaseURL string `json:"baseURL,omitempty"`
	// CRLNumber is the number of the current crl.pem (RFC 5280 §5.2.3).
	CRLNumber int64          `json:"crlNumber"`
	Revoked   []RevokedEntry `json:"revoked,omitempty"`
}

// RevokedEntry is one revoked certificate of the test CA.
type RevokedEntry struct {
	Serial string    `json:"serial"` // hexadecimal
	Time   time.Time `json:"time"`
	// Reason is the CRLReason code (RFC 5280 §5.3.1); 0 is unspecified.
	Reason int `json:"reason,omitempty"`
}

// LoadState reads dir's StateFile; a directory written before there was one
// has the zero State.
func LoadState(dir string) (State, error) {
	var st State
	data, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("%s: %w", filepath.Join(dir, StateFile), err)
	}
	return st, nil
}

func (st *State) write(dir string) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, StateFile), append(data, '\n'), 0o644)
}

// find returns the entry for serial, or nil.
func (st *State) find(serial *big.Int) *RevokedEntry {
	for i, r := range st.Revoked {
		if n, ok := new(big.Int).SetString(r.Serial, 16); ok && n.Cmp(serial) == 0 {
			return &st.Revoked[i]
		}
	}
	return nil
}

// ErrAlreadyRevoked is returned by Revoke for a serial number already revoked.
var ErrAlreadyRevoked = errors.New("devpki: the certificate is already revoked")

// Revoke records the certificate with serial number serial as revoked at at
// with reason (a CRLReason code, RFC 5280 §5.3.1; 0 unspecified) and writes a
// new crl.pem listing every revoked certificate, numbered one more, valid for
// a day. The OCSP responder answers from the same state at once.
func Revoke(dir string, serial *big.Int, reason int, at time.Time) error {
	if serial == nil || serial.Sign() <= 0 {
		return errors.New("devpki: a serial number to revoke must be positive")
	}
	if reason < 0 || reason > 10 || reason == 7 {
		return fmt.Errorf("devpki: %d is not a CRLReason code (0–10 but 7)", reason)
	}
	ca, err := LoadCA(dir)
	if err != nil {
		return err
	}
	st, err := LoadState(dir)
	if err != nil {
		return err
	}
	if st.find(serial) != nil {
		return fmt.Errorf("%w (serial %x)", ErrAlreadyRevoked, serial)
	}
	at = at.UTC().Truncate(time.Second)
	st.Revoked = append(st.Revoked, RevokedEntry{Serial: fmt.Sprintf("%x", serial), Time: at, Reason: reason})
	st.CRLNumber++
	crl, err := st.crl(ca, at)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "crl.pem"), pemBlock("X509 CRL", crl), 0o644); err != nil {
		return err
	}
	return st.write(dir)
}

func (st *State) crl(ca Party, now time.Time) ([]byte, error) {
	t := &pki.CRLTemplate{Number: big.NewInt(st.CRLNumber), ThisUpdate: now, NextUpdate: now.AddDate(0, 0, 1)}
	for _, r := range st.Revoked {
		n, ok := new(big.Int).SetString(r.Serial, 16)
		if !ok {
			return nil, fmt.Errorf("devpki: %s: bad serial %q", StateFile, r.Serial)
		}
		t.Revoked = append(t.Revoked, pki.RevokedCertificate{SerialNumber: n, RevocationTime: r.Time, ReasonCode: r.Reason})
	}
	der, err := pki.CreateRevocationList(t, ca.Cert, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("devpki: CRL: %w", err)
	}
	return der, nil
}

// Handler serves a PKI directory over HTTP for revocation checking:
//
//   - GET CRLPath: the current CRL, DER, application/pkix-crl (RFC 2585 §4.2);
//   - POST OCSPPath (application/ocsp-request) and GET OCSPPath/{base64}: OCSP
//     (RFC 6960 Appendix A.1), answered by the delegated responder
//     (ocsp.pem, ocsp.key) from the directory's State.
//
// It rereads the directory when its files change, so 'podpis devpki revoke'
// takes effect on the next request. Requests are bounded (maxRequest bytes,
// maxCertIDs certificates).
type Handler struct {
	dir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	stamp  string
	loaded *material
}

type material struct {
	ca, responder Party
	state         State
	crl           []byte // DER
}

const (
	maxRequest = 16 << 10
	maxCertIDs = 16
	// ocspValidity is how long an OCSP answer stays current (nextUpdate).
	ocspValidity = time.Hour
)

// NewHandler returns a Handler for dir, having read it once.
func NewHandler(dir string) (*Handler, error) {
	h := &Handler{dir: dir}
	if _, err := h.material(); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// material returns the directory's contents, rereading them when a file's
// size or modification time changed.
func (h *Handler) material() (*material, error) {
	names := []string{"ca.pem", "ca.key", "ocsp.pem", "ocsp.key", "crl.pem", StateFile}
	var stamp strings.Builder
	for _, n := range names {
		fi, err := os.Stat(filepath.Join(h.dir, n))
		if err != nil {
			if n == StateFile && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		fmt.Fprintf(&stamp, "%s:%d:%d;", n, fi.Size(), fi.ModTime().UnixNano())
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.loaded != nil && h.stamp == stamp.String() {
		return h.loaded, nil
	}
	ca, err := LoadCA(h.dir)
	if err != nil {
		return nil, err
	}
	m := &material{ca: ca}
	if m.responder, err = loadParty(h.dir, "ocsp"); err != nil {
		return nil, fmt.Errorf("%w (a PKI written before devpki had an OCSP responder: make a new one)", err)
	}
	if m.state, err = LoadState(h.dir); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(h.dir, "crl.pem"))
	if err != nil {
		return nil, err
	}
	if _, err := pki.ParseRevocationList(data); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(h.dir, "crl.pem"), err)
	}
	m.crl = pemBytes(data)
	h.stamp, h.loaded = stamp.String(), m
	return m, nil
}

func loadParty(dir, name string) (Party, error) {
	key, err := loadKey(filepath.Join(dir, name+".key"))
	if err != nil {
		return Party{}, err
	}
	data, err := os.ReadFile(filepath.Join(dir, name+".pem"))
	if err != nil {
		return Party{}, err
	}
	cert, err := pki.ParseCertificate(pemBytes(data))
	if err != nil {
		return Party{}, fmt.Errorf("%s: %w", filepath.Join(dir, name+".pem"), err)
	}
	return Party{Key: key, Cert: cert}, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m, err := h.material()
	if err != nil {
		http.Error(w, "the test PKI cannot be read", http.StatusInternalServerError)
		return
	}
	switch {
	case r.URL.Path == CRLPath && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		w.Header().Set("Content-Type", "application/pkix-crl")
		w.Write(m.crl)
	case r.URL.Path == OCSPPath && r.Method == http.MethodPost:
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/ocsp-request" {
			http.Error(w, "Content-Type must be application/ocsp-request", http.StatusUnsupportedMediaType)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
		if err != nil || len(body) > maxRequest {
			writeOCSP(w, ocsp.ErrorResponse(ocsp.MalformedRequest))
			return
		}
		writeOCSP(w, h.answer(m, body))
	case strings.HasPrefix(r.URL.Path, OCSPPath+"/") && r.Method == http.MethodGet:
		// The request is the URL-encoded Base64 of the DER (RFC 6960
		// A.1); Base64's '/' may arrive escaped or not.
		enc, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), OCSPPath+"/"))
		if err != nil || len(enc) > 2*maxRequest {
			writeOCSP(w, ocsp.ErrorResponse(ocsp.MalformedRequest))
			return
		}
		der, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			writeOCSP(w, ocsp.ErrorResponse(ocsp.MalformedRequest))
			return
		}
		writeOCSP(w, h.answer(m, der))
	default:
		http.NotFound(w, r)
	}
}

func writeOCSP(w http.ResponseWriter, der []byte) {
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(der)
}

// answer makes the OCSP response to a DER request: good for a certificate of
// the CA not in the state's revocations, revoked with time and reason for
// one that is, unknown for a certificate of another issuer.
func (h *Handler) answer(m *material, der []byte) []byte {
	req, err := ocsp.ParseRequest(der)
	if err != nil || len(req.CertIDs) > maxCertIDs {
		return ocsp.ErrorResponse(ocsp.MalformedRequest)
	}
	now := h.now().UTC().Truncate(time.Second)
	t := &ocsp.ResponseTemplate{ProducedAt: now, Nonce: req.Nonce}
	for _, id := range req.CertIDs {
		sr := ocsp.SingleResponse{CertID: id, Status: ocsp.Unknown, ThisUpdate: now, NextUpdate: now.Add(ocspValidity)}
		if id.IssuedBy(m.ca.Cert) {
			sr.Status = ocsp.Good
			if e := m.state.find(id.SerialNumber); e != nil && !e.Time.After(now) {
				sr.Status, sr.RevokedAt, sr.Reason = ocsp.Revoked, e.Time, e.Reason
			}
		}
		t.Responses = append(t.Responses, sr)
	}
	resp, err := ocsp.CreateResponse(t, m.responder.Cert, m.responder.Key, m.ca.Cert)
	if err != nil {
		return ocsp.ErrorResponse(ocsp.InternalError)
	}
	return resp
}
