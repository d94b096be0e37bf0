package registry

import (
	"bytes"
	"testing"
	"time"
)

// FuzzParseStatement: ParseStatement never panics, and what it accepts is
// canonical: writing the result gives back exactly the input.
func FuzzParseStatement(f *testing.F) {
	good, _ := RevocationStatement("5f7737eb-d23c-498f-826f-1dcae0eaee34", "7714350892", time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC), "Увольнение")
	f.Add(good)
	f.Add(bytes.Replace(good, []byte("5f77"), []byte("5F77"), 1))
	f.Add([]byte("podpis-mchd-revocation-1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseStatement(data)
		if err != nil {
			return
		}
		b, err := s.Bytes()
		if err != nil || !bytes.Equal(b, data) {
			t.Fatalf("accepted a non-canonical statement %q (%v)", data, err)
		}
	})
}

func TestParseStatement(t *testing.T) {
	at := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	good, err := RevocationStatement("5F7737EB-D23C-498F-826F-1DCAE0EAEE34", "770812345678", at.Add(500*time.Millisecond), "причина \"в кавычках\"")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseStatement(good)
	if err != nil {
		t.Fatal(err)
	}
	if s.GUID != "5f7737eb-d23c-498f-826f-1dcae0eaee34" || s.PrincipalINN != "770812345678" || !s.Time.Equal(at) || s.Reason != "причина \"в кавычках\"" {
		t.Errorf("parsed %+v", s)
	}
	for _, bad := range []string{
		"", string(good[:len(good)-1]), string(good) + "\n",
		string(bytes.Replace(good, []byte("17:00:00Z"), []byte("20:00:00+03:00"), 1)),
		string(bytes.Replace(good, []byte("770812345678"), []byte("77081234567"), 1)),
		string(bytes.Replace(good, []byte(`reason="`), []byte(`reason=`), 1)),
		string(bytes.Replace(good, []byte("revocation-1"), []byte("revocation-2"), 1)),
	} {
		if _, err := ParseStatement([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	for _, reason := range []string{"", "  ", "две\nстроки", string(bytes.Repeat([]byte("x"), MaxReason+1)), "\xff"} {
		if _, err := RevocationStatement("5f7737eb-d23c-498f-826f-1dcae0eaee34", "7714350892", at, reason); err == nil {
			t.Errorf("reason %q accepted", reason)
		}
	}
	if _, err := RevocationStatement("not-a-guid", "7714350892", at, "x"); err == nil {
		t.Error("bad GUID accepted")
	}
	if _, err := RevocationStatement("5f7737eb-d23c-498f-826f-1dcae0eaee34", "7714350892", time.Time{}, "x"); err == nil {
		t.Error("zero time accepted")
	}
}
