package tokend

import (
	"strings"
	"testing"
)

// FuzzDecode: a request body is parsed strictly, never panics, and a body
// with a member naming a PIN is always refused as such.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"nonce":"x","certificate":"y"}`, `{"pin":"1"}`, `{"requestId":"a","filter":{"keyUsage":["digitalSignature"]}}`, `[1]`, `{} {}`, ``, `{"PiN":0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req struct {
			RequestID   string  `json:"requestId"`
			Nonce       string  `json:"nonce"`
			Certificate string  `json:"certificate"`
			Filter      *Filter `json:"filter"`
		}
		err := decode(body, &req)
		if err == nil {
			if _, e := requestID(req.RequestID); e != nil && len(req.RequestID) <= 64 && !strings.ContainsAny(req.RequestID, " ") {
				return
			}
			if req.Filter != nil {
				req.Filter.check()
			}
			return
		}
		if err.Code != CodeBadRequest && err.Code != CodePINNotAccepted {
			t.Fatalf("code %s", err.Code)
		}
	})
}
