package ruid

import (
	"strings"
	"testing"
)

// Valid numbers: the worked examples and synthetic sample numbers of shared
// spec mchd/FORMAT.md §11.
func TestValid(t *testing.T) {
	for _, tc := range []struct {
		check func(string) error
		s     string
	}{
		{CheckINNLegal, "7714350892"},
		{CheckINN, "7714350892"},
		{CheckINNPerson, "770100000142"},
		{CheckINN, "770200000202"},
		{CheckOGRN, "1157746734837"},
		{CheckSNILS, "112-233-445 95"},
		{CheckSNILS, "223-344-556 39"},
		{CheckSNILS, "22334455639"},
		{CheckSNILS, "223-344-556-39"},
		{CheckSNILS, "001-001-998 00"}, // at or below the threshold: unchecked
	} {
		if err := tc.check(tc.s); err != nil {
			t.Errorf("%s: %v", tc.s, err)
		}
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		check func(string) error
		s     string
		want  string
	}{
		{CheckINNLegal, "7714350893", "check digit 10 is 3, want 2"},
		{CheckINNLegal, "771435089", "has 9 characters"},
		{CheckINNLegal, "77143508a2", "non-digit at position 9"},
		{CheckINNLegal, "0014350892", "starts with 00"},
		{CheckINNPerson, "770100000152", "check digit 11"},
		{CheckINNPerson, "770100000143", "check digit 12"},
		{CheckINN, "12345", "want 12 digits"},
		{CheckOGRN, "1157746734838", "check digit 13 is 8, want 7"},
		{CheckOGRNIP, "304500116000158", "check digit 15"},
		{CheckSNILS, "112-233-445 96", "check number is 96, want 95"},
		{CheckSNILS, "112 233 445 95", "has 14 characters, want 11"},
		{CheckSNILS, "", "has 0 characters"},
	} {
		err := tc.check(tc.s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.s, err, tc.want)
		}
	}
}

// Completing a body and checking the result agree for every length, and a
// changed digit is caught.
func TestCompleteRoundTrip(t *testing.T) {
	checks := map[int]func(string) error{10: CheckINNLegal, 12: CheckINNPerson, 13: CheckOGRN, 15: CheckOGRNIP}
	bodies := []string{"771435089", "7701000001", "115774673483", "30450011600015", "503600000000"}
	for _, b := range bodies {
		full, err := Complete(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := checks[len(full)](full); err != nil {
			t.Errorf("Complete(%s) = %s: %v", b, full, err)
		}
		alt := []byte(full)
		alt[len(alt)-1] = '0' + (alt[len(alt)-1]-'0'+1)%10
		if checks[len(full)](string(alt)) == nil {
			t.Errorf("%s with its check digit changed is still valid", full)
		}
	}
	if got, _ := Complete("771435089"); got != "7714350892" {
		t.Errorf("Complete INN = %s", got)
	}
	if got, _ := CompleteSNILS("112233445"); got != "11223344595" {
		t.Errorf("CompleteSNILS = %s", got)
	}
	if got, _ := FormatSNILS("11223344595"); got != "112-233-445 95" {
		t.Errorf("FormatSNILS = %s", got)
	}
	if _, err := Complete("12"); err == nil {
		t.Error("Complete of a 2-digit body succeeded")
	}
}

// TestSNILSCheckRules walks the rule of FORMAT.md §11.6 over every sum.
func TestSNILSCheckRules(t *testing.T) {
	for body := 1002000; body < 1002000+20000; body += 7 {
		b := strings.Repeat("0", 9-len(itoa(body))) + itoa(body)
		full, _ := CompleteSNILS(b)
		if err := CheckSNILS(full); err != nil {
			t.Fatal(err)
		}
		s := 0
		for i := range 9 {
			s += int(b[i]-'0') * (9 - i)
		}
		want := s
		switch {
		case s < 100:
		case s == 100 || s == 101:
			want = 0
		default:
			want = s % 101
			if want == 100 {
				want = 0
			}
		}
		if got := int(full[9]-'0')*10 + int(full[10]-'0'); got != want {
			t.Fatalf("%s: check %d, want %d", b, got, want)
		}
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"7714350892", "770100000142", "1157746734837", "112-233-445 95", "", "00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []func(string) error{CheckINN, CheckINNLegal, CheckINNPerson, CheckOGRN, CheckOGRNIP, CheckSNILS} {
			if err := c(s); err != nil && strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
		}
		if full, err := Complete(s); err == nil {
			if CheckINN(full) != nil && CheckOGRN(full) != nil && CheckOGRNIP(full) != nil {
				t.Fatalf("Complete(%q) = %q fails every check", s, full)
			}
		}
	})
}
