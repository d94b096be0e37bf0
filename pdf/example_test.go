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
