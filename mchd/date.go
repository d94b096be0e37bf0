package mchd

import (
	"fmt"
	"strings"
	"time"
)

// dateLayout is the xs:date form written (FORMAT.md §4: no time zone).
const dateLayout = "2006-01-02"

// FormatDate returns t's calendar date in t's location as an xs:date
// without a zone, the form real files use (FORMAT.md §4). Operators read
// the dates in Moscow time, so pass times in that location.
func FormatDate(t time.Time) string { return t.Format(dateLayout) }

// ParseDate reads an xs:date attribute (ДатаВыдДовер, СрокДейст, …) and
// returns that calendar date at midnight UTC. The XSD also admits a zone
// suffix (Z, +hh:mm, -hh:mm; FORMAT.md §4); it is accepted and ignored,
// since the value names a calendar day. Years outside 0001–9999 and the
// DD.MM.YYYY form are rejected.
func ParseDate(s string) (time.Time, error) {
	v := s
	switch {
	case strings.HasSuffix(v, "Z"):
		v = v[:len(v)-1]
	case len(v) > 6 && (v[len(v)-6] == '+' || v[len(v)-6] == '-') && v[len(v)-3] == ':':
		z, err := time.Parse("-07:00", v[len(v)-6:])
		if err != nil || zoneTooBig(z) {
			return time.Time{}, fmt.Errorf("mchd: invalid date %q", s)
		}
		v = v[:len(v)-6]
	}
	t, err := time.Parse(dateLayout, v)
	if err != nil || len(v) != len(dateLayout) {
		return time.Time{}, fmt.Errorf("mchd: invalid date %q", s)
	}
	return t, nil
}

// zoneTooBig reports an xs:date zone outside ±14:00.
func zoneTooBig(z time.Time) bool {
	_, off := z.Zone()
	return off > 14*3600 || off < -14*3600
}
