package pdf

import "testing"

// FuzzLayout: any text, in any layout element, gives a well-formed file.
func FuzzLayout(f *testing.F) {
	f.Add("Съешь же ещё этих мягких французских булок", 11.0)
	f.Add("ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ\n\n\t漢 \x00\xff", 40.0)
	f.Fuzz(func(t *testing.T, s string, size float64) {
		if size != size || size > 200 || size < -1 { // NaN or absurd sizes
			return
		}
		d := New(Options{Title: "Fuzz", Created: testCreated})
		st := Style{Size: size, Bold: len(s)%2 == 0, Align: Align(len(s) % 3)}
		d.Paragraph(s, st)
		d.Runs([]Run{B(s), R(s)}, st)
		d.Table(Table{Rows: [][]string{{s, s}, {s}}, Header: true, Style: st})
		d.Stamp(Stamp{Owner: s, Extra: []string{s}}, Mm(80), Right)
		d.Page().TextBox(10, 10, 50, s, st)
		checkStructure(t, d.Bytes())
	})
}
