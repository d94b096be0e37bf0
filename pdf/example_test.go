package pdf_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/podpis/podpis/pdf"
)

func Example() {
	created := time.Date(2026, 11, 23, 12, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	doc := pdf.New(pdf.Options{Title: "Акт", Author: "ООО «Ромашка»", Created: created, PageNumbers: true})
	doc.Paragraph("Акт приёма-передачи", pdf.Style{Size: 16, Bold: true, Align: pdf.Center})
	doc.Paragraph("Стороны подтверждают передачу документов.", pdf.Style{})
	var b bytes.Buffer
	n, err := doc.WriteTo(&b)
	fmt.Println(err, n == int64(b.Len()), n < 60<<10)
	// Output: <nil> true true
}

// A visible signature's appearance for another writer: the objects are
// numbered from the first free object number of the update being written.
func ExampleStampAppearance() {
	a := pdf.StampAppearance(pdf.Stamp{
		Certificate: "01DB2A6F7C3E5B9A",
		Owner:       "Иванов Иван Иванович",
		ValidFrom:   time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
		ValidTo:     time.Date(2027, 4, 15, 0, 0, 0, 0, time.UTC),
	}, pdf.Mm(85), 0)
	objs := a.Objects(120)
	fmt.Printf("form %d 0 R, %d objects, %.0f × %.0f pt\n", objs[0].Num, len(objs), a.W, a.H)
	// Output: form 120 0 R, 13 objects, 241 × 66 pt
}
