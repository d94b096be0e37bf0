package tsp

import (
	"testing"

	"github.com/podpis/podpis/pki"
)

// FuzzParse feeds the TSA's and the client's parsers hostile bytes: they never
// panic, and what they accept is written back into something they accept.
func FuzzParse(f *testing.F) {
	req := &Request{HashAlgorithm: pki.OIDStreebog256, HashedMessage: make([]byte, 32), Policy: testPolicy, CertReq: true}
	if der, err := req.Marshal(); err == nil {
		f.Add(der)
	}
	if der, err := (&Response{Status: Rejection, FailInfo: BadAlg | SystemFailure, StatusString: []string{"нет"}}).Marshal(); err == nil {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := ParseRequest(data); err == nil {
			der, err := r.Marshal()
			if err != nil {
				t.Fatalf("Marshal of a parsed request: %v", err)
			}
			if _, err := ParseRequest(der); err != nil {
				t.Fatalf("re-parse of a request: %v", err)
			}
		}
		if r, err := ParseResponse(data); err == nil {
			der, err := r.Marshal()
			if err != nil {
				t.Fatalf("Marshal of a parsed response: %v", err)
			}
			back, err := ParseResponse(der)
			if err != nil || back.Status != r.Status || back.FailInfo != r.FailInfo {
				t.Fatalf("response round trip: %+v → %+v, %v", r, back, err)
			}
		}
	})
}
