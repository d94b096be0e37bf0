package mchd

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	want := time.Date(2026, 5, 22, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-05-22", "2026-05-22Z", "2026-05-22+03:00", "2026-05-22-14:00"} {
		got, err := ParseDate(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "22.05.2026", "2026-5-22", "2026-02-30", "2026-05-22T00:00:00", "2026-05-22+15:00", "2026-05-22+03", " 2026-05-22", "12026-05-22"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	moscow := time.FixedZone("MSK", 3*3600)
	if got := FormatDate(time.Date(2026, 5, 22, 23, 30, 0, 0, moscow)); got != "2026-05-22" {
		t.Errorf("FormatDate = %q", got)
	}
}

func TestSampleDates(t *testing.T) {
	for name, data := range samples(t) {
		d, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		from, err1 := ParseDate(d.Info().IssueDate)
		until, err2 := ParseDate(d.Info().ValidUntil)
		if err1 != nil || err2 != nil || !from.Before(until) {
			t.Errorf("%s: dates %v %v (%v, %v)", name, from, until, err1, err2)
		}
		if FileID(from, d.Info().GUID) != d.FileID {
			t.Errorf("%s: ИдФайл %q is not ON_EMCHD_<ДатаВыдДовер>_<НомДовер>", name, d.FileID)
		}
	}
}
