package pdf

import (
	"strings"
	"testing"
	"time"
)

var testCreated = time.Date(2026, 11, 23, 12, 30, 0, 0, time.FixedZone("MSK", 3*3600))

const shortPayload = "https://podpis.example/mchd/7f3c2a10-5b6e-4d2a-9c1e-0a1b2c3d4e5f"

// longPayload is ≥ 500 characters with Cyrillic.
var longPayload = strings.Repeat("Доверенность № 7f3c2a10; доверитель ООО «Ромашка», ИНН 7701234567; ", 8)

var testStamp = Stamp{
	Certificate: "01DB2A6F7C3E5B9A0000000000000001",
	Owner:       "Иванов Иван Иванович, ООО «Ромашка»",
	ValidFrom:   time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
	ValidTo:     time.Date(2027, 4, 15, 0, 0, 0, 0, time.UTC),
}

// sampleDoc lays out a one-page document with text, a table, a QR code and
// a signature stamp.
func sampleDoc(tb testing.TB, payload string) *Document {
	tb.Helper()
	d := New(Options{
		Title:       "Акт приёма-передачи документов",
		Author:      "Иванов Иван Иванович",
		Subject:     "Тестовый документ podpis",
		Keywords:    "ЭП, PDF/A-2b",
		Creator:     "podpis test",
		Created:     testCreated,
		ID:          []byte("podpis-test-id-1"),
		PageNumbers: true,
	})
	d.Paragraph("Акт приёма-передачи документов № 17", Style{Size: 16, Bold: true, Align: Center})
	d.Paragraph("г. Москва, 23 ноября 2026 г.", Style{Size: 10, Align: Right, Color: Gray})
	d.Space(8)
	d.Paragraph("Общество с ограниченной ответственностью «Ромашка», именуемое в дальнейшем «Сторона 1», "+
		"в лице генерального директора Иванова Ивана Ивановича, передаёт, а «Сторона 2» принимает следующие "+
		"документы. Съешь же ещё этих мягких французских булок, да выпей чаю.", Style{})
	d.Space(4)
	d.Runs([]Run{B("Основание:"), R(" договор поставки № 42 от "), B("01.10.2026"), R(", счёт-фактура № 318.")}, Style{})
	d.Space(8)
	d.Table(Table{
		Header: true,
		Widths: []float64{1, 6, 2},
		Rows: [][]string{
			{"№", "Наименование документа", "Листов"},
			{"1", "Договор поставки № 42 от 01.10.2026 с приложениями и дополнительным соглашением", "12"},
			{"2", "Счёт-фактура № 318", "1"},
			{"3", "Товарная накладная ТОРГ-12", "2"},
		},
	})
	d.Space(12)
	top := d.Y()
	d.Stamp(testStamp, Mm(85), Left)
	d.SetY(top)
	if err := d.QR(payload, Mm(45), Right, QRMedium); err != nil {
		tb.Fatal(err)
	}
	d.Space(6)
	d.Rule()
	d.Paragraph("Проверить документ можно по QR-коду.", Style{Size: 9, Color: Gray})
	return d
}
