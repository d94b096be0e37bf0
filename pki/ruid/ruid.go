// Package ruid checks and completes Russian registration numbers: ИНН (taxpayer
// number, 10 digits for organisations, 12 for people), ОГРН (13), ОГРНИП (15)
// and СНИЛС (11). The check-digit rules are those of shared spec
// mchd/FORMAT.md §11 (FNS and Pension Fund rules, re-computed there on public
// registry numbers); the FNS XSD checks only the digit patterns.
//
// Errors say which number is wrong and why in one line, and never guess: a
// number with spaces or dashes is accepted only for СНИЛС, whose printed form
// has them.
package ruid

import (
	"fmt"
	"strings"
)

// digits returns s as digit values when it is exactly n ASCII digits.
func digits(kind, s string, n int) ([]int, error) {
	if len(s) != n {
		return nil, fmt.Errorf("ruid: %s %q has %d characters, want %d digits", kind, s, len(s), n)
	}
	d := make([]int, n)
	for i := range n {
		if s[i] < '0' || s[i] > '9' {
			return nil, fmt.Errorf("ruid: %s %q has a non-digit at position %d", kind, s, i+1)
		}
		d[i] = int(s[i] - '0')
	}
	return d, nil
}

// weighted returns Σ w[i]·d[i] mod 11 mod 10 (FORMAT.md §11.2, §11.3).
func weighted(d, w []int) int {
	sum := 0
	for i, wi := range w {
		sum += wi * d[i]
	}
	return sum % 11 % 10
}

// Weights of FORMAT.md §11.2 and §11.3.
var (
	innLegalWeights = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	innPerson11     = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innPerson12     = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

func checkDigit(kind, s string, pos, got, want int) error {
	if got != want {
		return fmt.Errorf("ruid: %s %s: check digit %d is %d, want %d", kind, s, pos, got, want)
	}
	return nil
}

func notRegionZero(kind, s string) error {
	if strings.HasPrefix(s, "00") {
		return fmt.Errorf("ruid: %s %s starts with 00", kind, s)
	}
	return nil
}

// CheckINNLegal checks a 10-digit ИНН of an organisation (ИНН ЮЛ).
func CheckINNLegal(s string) error {
	d, err := digits("INN", s, 10)
	if err != nil {
		return err
	}
	if err := notRegionZero("INN", s); err != nil {
		return err
	}
	return checkDigit("INN", s, 10, d[9], weighted(d, innLegalWeights))
}

// CheckINNPerson checks a 12-digit ИНН of a natural person or entrepreneur.
func CheckINNPerson(s string) error {
	d, err := digits("INN", s, 12)
	if err != nil {
		return err
	}
	if err := notRegionZero("INN", s); err != nil {
		return err
	}
	if err := checkDigit("INN", s, 11, d[10], weighted(d, innPerson11)); err != nil {
		return err
	}
	return checkDigit("INN", s, 12, d[11], weighted(d, innPerson12))
}

// CheckINN checks an ИНН of either length.
func CheckINN(s string) error {
	if len(s) == 10 {
		return CheckINNLegal(s)
	}
	return CheckINNPerson(s)
}

// remainder returns the number formed by the digits d modulo m.
func remainder(d []int, m int) int {
	r := 0
	for _, x := range d {
		r = (r*10 + x) % m
	}
	return r
}

// CheckOGRN checks a 13-digit ОГРН (FORMAT.md §11.4).
func CheckOGRN(s string) error {
	d, err := digits("OGRN", s, 13)
	if err != nil {
		return err
	}
	return checkDigit("OGRN", s, 13, d[12], remainder(d[:12], 11)%10)
}

// CheckOGRNIP checks a 15-digit ОГРНИП (FORMAT.md §11.5).
func CheckOGRNIP(s string) error {
	d, err := digits("OGRNIP", s, 15)
	if err != nil {
		return err
	}
	return checkDigit("OGRNIP", s, 15, d[14], remainder(d[:14], 13)%10)
}

// snilsCheck returns the two check digits of the nine-digit body
// (FORMAT.md §11.6).
func snilsCheck(d []int) int {
	s := 0
	for i := range 9 {
		s += d[i] * (9 - i)
	}
	if s > 101 {
		s %= 101
	}
	if s == 100 || s == 101 {
		s = 0
	}
	return s
}

// snilsUnchecked is the largest body without a check (FORMAT.md §11.6: only
// numbers above 001-001-998 carry one).
const snilsUnchecked = 1001998

// NormalizeSNILS returns the 11 digits of a СНИЛС written as digits or as
// NNN-NNN-NNN NN / NNN-NNN-NNN-NN.
func NormalizeSNILS(s string) (string, error) {
	if len(s) == 14 && s[3] == '-' && s[7] == '-' && (s[11] == ' ' || s[11] == '-') {
		s = s[0:3] + s[4:7] + s[8:11] + s[12:14]
	}
	if _, err := digits("SNILS", s, 11); err != nil {
		return "", err
	}
	return s, nil
}

// CheckSNILS checks a СНИЛС in any of the forms NormalizeSNILS takes.
func CheckSNILS(s string) error {
	n, err := NormalizeSNILS(s)
	if err != nil {
		return err
	}
	d, _ := digits("SNILS", n, 11)
	if remainder(d[:9], 1e9) <= snilsUnchecked {
		return nil
	}
	got := d[9]*10 + d[10]
	if want := snilsCheck(d); got != want {
		return fmt.Errorf("ruid: SNILS %s: check number is %02d, want %02d", s, got, want)
	}
	return nil
}

// FormatSNILS writes 11 СНИЛС digits as NNN-NNN-NNN NN, the printed form real
// documents use (FORMAT.md §11.1).
func FormatSNILS(s string) (string, error) {
	n, err := NormalizeSNILS(s)
	if err != nil {
		return "", err
	}
	return n[0:3] + "-" + n[3:6] + "-" + n[6:9] + " " + n[9:11], nil
}

// Complete appends the check digits to a number body: 9 digits → ИНН ЮЛ,
// 10 → personal ИНН, 12 → ОГРН, 14 → ОГРНИП. СНИЛС bodies are 9 digits too;
// use CompleteSNILS for them. It is for making test data (podpis devpki).
func Complete(body string) (string, error) {
	d, err := digits("number body", body, len(body))
	if err != nil || len(body) == 0 {
		return "", fmt.Errorf("ruid: number body %q is not digits", body)
	}
	if (len(body) == 9 || len(body) == 10) && strings.HasPrefix(body, "00") {
		return "", fmt.Errorf("ruid: INN body %s starts with 00", body)
	}
	switch len(body) {
	case 9:
		return body + string(rune('0'+weighted(d, innLegalWeights))), nil
	case 10:
		c11 := weighted(d, innPerson11)
		d = append(d, c11)
		return body + string(rune('0'+c11)) + string(rune('0'+weighted(d, innPerson12))), nil
	case 12:
		return body + string(rune('0'+remainder(d, 11)%10)), nil
	case 14:
		return body + string(rune('0'+remainder(d, 13)%10)), nil
	}
	return "", fmt.Errorf("ruid: no number has a %d-digit body", len(body))
}

// CompleteSNILS appends the two check digits to a nine-digit СНИЛС body and
// returns the 11 digits.
func CompleteSNILS(body string) (string, error) {
	d, err := digits("SNILS body", body, 9)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%02d", body, snilsCheck(d)), nil
}
