package tokend

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/gost/streebog"
	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/tokend/authtoken"
	"github.com/podpis/podpis/tokend/tokendtest"
)

type auditLine struct {
	Time        time.Time `json:"time"`
	Msg         string    `json:"msg"`
	Operation   string    `json:"operation"`
	Origin      string    `json:"origin"`
	RequestID   string    `json:"requestId"`
	Certificate *struct {
		Subject string `json:"subject"`
		Serial  string `json:"serial"`
		SHA256  string `json:"sha256"`
	} `json:"certificate"`
	Digest string `json:"digest"`
	Format string `json:"format"`
	Target string `json:"target"`
	Result string `json:"result"`
}

func auditLines(t *testing.T, log string) []auditLine {
	t.Helper()
	var out []auditLine
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var l auditLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

// TestAudit: one JSON record per authenticate, sign and cancel, with the
// origin, certificate, digest and result, and nothing of the PIN, the nonce
// or the document, in the audit log or the request log.
func TestAudit(t *testing.T) {
	audit := &logBuffer{}
	s, _, pe, logs := tokenServer(t, Config{Audit: slog.New(slog.NewJSONHandler(audit, nil))})
	entries := certificates(t, s, nil)
	if len(entries) != 1 {
		t.Fatalf("%d certificates", len(entries))
	}
	cert, err := pki.ParseCertificate(unb64(t, entries[0].Certificate))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert.Raw)
	certHex := hex.EncodeToString(sum[:])

	start := time.Now().Add(-time.Second)
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce, "requestId": "a1"}); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if _, r := signCall(t, s, portal, map[string]any{"data": b64(document), "documentName": "Секретный договор", "requestId": "s1"}); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	pe.set("", "00000000", "")
	if _, r := signCall(t, s, portal, map[string]any{"data": b64(document), "documentName": "x", "requestId": "s2"}); r.code != CodePINIncorrect {
		t.Fatalf("%d %s", r.status, r.body)
	}
	pe.set("hang", "", "")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		signCall(t, s, portal, map[string]any{"data": b64(document), "documentName": "x", "requestId": "s3"})
	}()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(pe.commands(t), "CONFIRM") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if r := call(t, s, "/v1/cancel", portal, map[string]any{"target": "s3", "requestId": "c1"}); r.status != 200 {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	wg.Wait()
	// Refused before a certificate was chosen: recorded all the same.
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": "short", "requestId": "a2"}); r.code != CodeBadNonce {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// Status and certificates are not operations.
	certificates(t, s, nil)

	loginDigest, _ := authtoken.Digest(authtoken.GOST256, portal, nonce)
	docDigest := streebog.Sum256(document)
	want := []auditLine{
		{Operation: "authenticate", RequestID: "a1", Digest: hex.EncodeToString(loginDigest), Result: "OK"},
		{Operation: "sign", RequestID: "s1", Digest: hex.EncodeToString(docDigest[:]), Format: "cms", Result: "OK"},
		{Operation: "sign", RequestID: "s2", Digest: hex.EncodeToString(docDigest[:]), Format: "cms", Result: "PIN_INCORRECT"},
		{Operation: "cancel", RequestID: "c1", Target: "s3", Result: "OK"},
		{Operation: "sign", RequestID: "s3", Digest: hex.EncodeToString(docDigest[:]), Format: "cms", Result: "USER_CANCELLED"},
		{Operation: "authenticate", RequestID: "a2", Result: "BAD_NONCE"},
	}
	got := auditLines(t, audit.String())
	if len(got) != len(want) {
		t.Fatalf("%d audit records, want %d:\n%s", len(got), len(want), audit)
	}
	for i, w := range want {
		g := got[i]
		if g.Msg != "operation" || g.Origin != portal || g.Time.Before(start) || g.Time.After(time.Now()) ||
			g.Operation != w.Operation || g.RequestID != w.RequestID || g.Digest != w.Digest || g.Format != w.Format || g.Target != w.Target || g.Result != w.Result {
			t.Errorf("record %d: %+v\nwant %+v", i, g, w)
		}
		withCert := w.Operation != "cancel" && w.Result != "BAD_NONCE"
		if withCert != (g.Certificate != nil) {
			t.Errorf("record %d: certificate %+v", i, g.Certificate)
		} else if withCert && (g.Certificate.SHA256 != certHex || g.Certificate.Subject != cert.SubjectName.CommonName || g.Certificate.Serial != hex.EncodeToString(cert.SerialNumber.Bytes())) {
			t.Errorf("record %d: certificate %+v", i, g.Certificate)
		}
	}
	for name, log := range map[string]string{"audit": audit.String(), "request": logs.String()} {
		for what, secret := range map[string]string{
			"the PIN": tokendtest.PIN, "the wrong PIN": "00000000", "the nonce": nonce,
			"the document": "ПОСТАВЩИК-СЕКРЕТ", "the document in base64": b64(document)[8:40], "the document name": "Секретный договор",
		} {
			if strings.Contains(log, secret) {
				t.Errorf("%s reached the %s log:\n%s", what, name, log)
			}
		}
	}

	// Without Config.Audit nothing is written and nothing fails.
	s.cfg.Audit = nil
	pe.set("", tokendtest.PIN, "")
	n := len(audit.String())
	if _, r := authenticate(t, s, portal, map[string]any{"nonce": nonce}); r.status != 200 || len(audit.String()) != n {
		t.Errorf("no audit log: %d %s", r.status, r.body)
	}
}
