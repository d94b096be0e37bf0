package mchd_test

import (
	"fmt"
	"time"

	"github.com/podpis/podpis/mchd"
)

func ExampleCheck() {
	d := mchd.New(time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 14, 0, 0, 0, 0, time.UTC))
	d.POA.Info.InternalNumber = "42"
	// No principal, representative or powers yet: the XSD requires them.
	for _, p := range d.Check() {
		fmt.Println(p.Severity, p.Code, p.Path)
	}
	// Output:
	// error XSD_REQUIRED /Доверенность/Документ/Довер/СвДоверит
	// error XSD_REQUIRED /Доверенность/Документ/Довер/СвУпПред
	// error XSD_LENGTH /Доверенность/Документ/Довер/СвПолн/@ТипПолн
	// error XSD_LENGTH /Доверенность/Документ/Довер/СвПолн/@ПрСовмПолн
}
