package tokend

import (
	"encoding/json"
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
		var top map[string]json.RawMessage
		hasPIN := false
		if json.Unmarshal(body, &top) == nil {
			for k := range top {
				hasPIN = hasPIN || strings.Contains(strings.ToLower(k), "pin")
			}
		}
		switch {
		case hasPIN && (err == nil || err.Code != CodePINNotAccepted):
			t.Fatalf("a body naming a PIN was not refused as such: %v", err)
		case err == nil:
			if req.Filter != nil {
				req.Filter.check()
			}
			requestID(req.RequestID)
		case err.Code != CodeBadRequest && err.Code != CodePINNotAccepted:
			t.Fatalf("code %s", err.Code)
		}
	})
}
