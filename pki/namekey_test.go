package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

func TestNameKey(t *testing.T) {
	cn := asn1.ObjectIdentifier{2, 5, 4, 3}
	o := asn1.ObjectIdentifier{2, 5, 4, 10}
	name := func(vals ...any) pkix.Name {
		var n pkix.Name
		for i, v := range vals {
			typ := cn
			if i%2 == 1 {
				typ = o
			}
			n.Names = append(n.Names, pkix.AttributeTypeAndValue{Type: typ, Value: v})
		}
		return n
	}
	same := [][2]pkix.Name{
		{name("Тестовый УЦ podpis"), name("  тестовый   уц\tPODPIS ")},
		{name("ООО «Ромашка»", "A B"), name("ооо «РОМАШКА»", "a\u00a0 b")},
		{name(), name()},
	}
	for _, c := range same {
		if a, b := nameKey(c[0]), nameKey(c[1]); a != b {
			t.Errorf("%q != %q", a, b)
		}
	}
	differ := [][2]pkix.Name{
		{name("ab"), name("a b")},
		{name("a", "b"), name("a b")},
		{name("a;", "b"), name("a", ";b")}, // the length prefix keeps values apart
		{name("1"), name(1)},
		{name("x"), pkix.Name{Names: []pkix.AttributeTypeAndValue{{Type: o, Value: "x"}}}},
	}
	for _, c := range differ {
		if a, b := nameKey(c[0]), nameKey(c[1]); a == b {
			t.Errorf("both %q", a)
		}
	}
}

func BenchmarkNameKey(b *testing.B) {
	n := pkix.Name{Names: []pkix.AttributeTypeAndValue{
		{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "Иванов Иван Петрович"},
		{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "ООО «Ромашка»"},
		{Type: asn1.ObjectIdentifier{1, 2, 643, 100, 4}, Value: "7708123450"},
	}}
	b.ReportAllocs()
	for b.Loop() {
		nameKey(n)
	}
}
