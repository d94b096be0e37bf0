package ber

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Each case is written in X.690 notation: BER in, DER out.
var conversions = []struct {
	name, in, out string
}{
	{"indefinite sequence", "30 80 02 01 05 00 00", "30 03 02 01 05"},
	{"nested indefinite", "30 80 31 80 02 01 01 00 00 04 00 00 00", "30 07 31 03 02 01 01 04 00"},
	{"empty indefinite", "30 80 00 00", "30 00"},
	{"context tag indefinite", "a0 80 30 80 00 00 00 00", "a0 02 30 00"},
	{"long form for a short length", "04 81 03 61 62 63", "04 03 61 62 63"},
	{"leading zero length octet", "04 82 00 03 61 62 63", "04 03 61 62 63"},
	{"constructed octet string, definite", "24 08 04 02 61 62 04 02 63 64", "04 04 61 62 63 64"},
	{"constructed octet string, indefinite", "24 80 04 01 61 04 00 04 02 62 63 00 00", "04 03 61 62 63"},
	{"nested constructed octet string", "24 80 24 80 04 01 61 00 00 04 01 62 00 00", "04 02 61 62"},
	{"constructed bit string", "23 80 03 02 00 aa 03 02 04 b0 00 00", "03 03 04 aa b0"},
	{"constructed UTF8String", "2c 80 0c 01 d0 0c 01 9f 00 00", "0c 02 d0 9f"},
	{"eContent as openssl -stream writes it", "a0 80 24 80 04 03 61 62 63 00 00 00 00", "a0 05 04 03 61 62 63"},
	{"boolean true", "30 03 01 01 01", "30 03 01 01 ff"},
	{"boolean false untouched", "01 01 00", "01 01 00"},
	{"long content", "04 82 01 00" + strings.Repeat("00", 256), "04 82 01 00" + strings.Repeat("00", 256)},
	{"long content, indefinite parent", "30 80 04 82 01 00" + strings.Repeat("00", 256) + "00 00", "30 82 01 04 04 82 01 00" + strings.Repeat("00", 256)},
}

func TestNormalize(t *testing.T) {
	for _, c := range conversions {
		t.Run(c.name, func(t *testing.T) {
			in, want := unhex(t, c.in), unhex(t, c.out)
			got, err := Normalize(in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("Normalize(%x)\n got %x\nwant %x", in, got, want)
			}
			again, err := Normalize(got)
			if err != nil || !bytes.Equal(again, got) {
				t.Fatalf("not idempotent: %x, %v", again, err)
			}
		})
	}
}

func TestDERIsReturnedAsIs(t *testing.T) {
	der, err := asn1.Marshal(struct {
		A int
		B []byte
		C asn1.ObjectIdentifier
		D bool
		E []string `asn1:"set"`
	}{7, bytes.Repeat([]byte{1}, 300), asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}, true, []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Normalize(der)
	if err != nil {
		t.Fatal(err)
	}
	if &out[0] != &der[0] || len(out) != len(der) {
		t.Fatal("DER input was copied or changed")
	}
	// Appending to the result must not write into the caller's following bytes.
	buf := append(append([]byte{}, der...), 0xee)
	out, rest, err := NormalizeElement(buf)
	if err != nil || len(rest) != 1 {
		t.Fatal(err, rest)
	}
	_ = append(out, 0)
	if buf[len(buf)-1] != 0xee {
		t.Fatal("result aliases the bytes after it")
	}
}

func TestNormalizeElementRest(t *testing.T) {
	in := unhex(t, "30 80 02 01 05 00 00 00 00 00")
	out, rest, err := NormalizeElement(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, unhex(t, "30 03 02 01 05")) || !bytes.Equal(rest, []byte{0, 0, 0}) {
		t.Fatalf("got %x rest %x", out, rest)
	}
	if _, err := Normalize(in); !errors.Is(err, ErrTrailingData) {
		t.Fatalf("Normalize with trailing bytes: %v", err)
	}
}

func TestNormalizeErrors(t *testing.T) {
	deep := strings.Repeat("30 80 ", MaxDepth+1) + strings.Repeat("00 00 ", MaxDepth+1)
	deepString := strings.Repeat("24 80 ", MaxDepth+1) + strings.Repeat("00 00 ", MaxDepth+1)
	okDeep := strings.Repeat("30 80 ", MaxDepth) + strings.Repeat("00 00 ", MaxDepth)
	if _, err := Normalize(unhex(t, okDeep)); err != nil {
		t.Fatalf("depth %d refused: %v", MaxDepth, err)
	}
	for _, c := range []struct{ name, in, msg string }{
		{"empty", "", "end of input"},
		{"only identifier", "30", "end of input"},
		{"truncated content", "04 05 61 62", "exceeds"},
		{"truncated long length", "04 82 01", "long length"},
		{"huge length", "04 84 7f ff ff ff 00", "exceeds"},
		{"length overflow", "04 89 ff ff ff ff ff ff ff ff ff 00", "exceeds"},
		{"reserved length", "04 ff 00", "reserved"},
		{"missing end-of-contents", "30 80 02 01 05", "end of input"},
		{"end-of-contents at top", "00 00", "end-of-contents"},
		{"end-of-contents in definite", "30 02 00 00", "end-of-contents"},
		{"primitive indefinite", "04 80 61 00 00", "primitive"},
		{"high tag number", "1f 81 00 00", "high tag"},
		{"child past parent", "30 02 04 05 61 62 63 64 65", "past the end"},
		{"segment tag mismatch", "24 80 0c 01 61 00 00", "segment tag"},
		{"bit string unused not last", "23 80 03 02 04 a0 03 02 00 b0 00 00", "after one with unused"},
		{"bit string segment empty", "23 80 03 00 00 00", "unused-bits octet"},
		{"bit string unused > 7", "23 80 03 02 08 a0 00 00", "unused-bits count"},
		{"bit string unused in empty", "23 80 03 01 03 00 00", "unused-bits count"},
		{"segment past string", "24 03 04 05 61 62 63 64 65", "past the end"},
		{"deep", deep, "nesting"},
		{"deep string", deepString, "nesting"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Normalize(unhex(t, c.in))
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want a SyntaxError mentioning %q", err, c.msg)
			}
		})
	}
}

// uglify re-encodes DER as some BER encoder might: indefinite lengths,
// long-form lengths, OCTET STRINGs cut into constructed segments. It works on
// the DER tree read with cryptobyte, so it is independent of the normaliser.
func uglify(t testing.TB, r *rand.Rand, der []byte) []byte {
	s := cryptobyte.String(der)
	var out []byte
	for !s.Empty() {
		var elem cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1Element(&elem, &tag) {
			t.Fatalf("uglify: bad DER %x", der)
		}
		var content cryptobyte.String
		var tmp cryptobyte.String = elem
		if !tmp.ReadAnyASN1(&content, nil) {
			t.Fatal("uglify: reread")
		}
		id := byte(tag)
		switch {
		case id&constructedBit != 0 && r.IntN(2) == 0:
			out = append(out, id, 0x80)
			out = append(out, uglify(t, r, content)...)
			out = append(out, 0, 0)
		case id&constructedBit != 0:
			inner := uglify(t, r, content)
			out = append(out, id)
			out = appendLongLength(out, len(inner))
			out = append(out, inner...)
		case id == tagOctetString && r.IntN(2) == 0:
			out = append(out, id|constructedBit, 0x80)
			rest := []byte(content)
			for len(rest) > 0 {
				n := 1 + r.IntN(len(rest))
				out = append(out, tagOctetString)
				out = appendLongLength(out, n)
				out = append(out, rest[:n]...)
				rest = rest[n:]
			}
			out = append(out, 0, 0)
		default:
			out = append(out, elem...)
		}
	}
	return out
}

func appendLongLength(out []byte, n int) []byte {
	return append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func TestRoundTripUglified(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type inner struct {
		Data []byte
		Name string `asn1:"utf8"`
		List []int  `asn1:"set"`
	}
	for i := 0; i < 200; i++ {
		v := struct {
			N     int
			Blob  []byte
			Inner inner
			Opt   []inner `asn1:"optional,explicit,tag:0"`
		}{N: r.IntN(1 << 20), Blob: make([]byte, r.IntN(600))}
		v.Inner.Name = strings.Repeat("я", r.IntN(70))
		for j := 0; j < r.IntN(4); j++ {
			v.Opt = append(v.Opt, inner{Data: make([]byte, r.IntN(200)), List: []int{j, 1000 * j}})
		}
		der, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		ugly := uglify(t, r, der)
		got, err := Normalize(ugly)
		if err != nil {
			t.Fatalf("Normalize(%x): %v", ugly, err)
		}
		if !bytes.Equal(got, der) {
			t.Fatalf("round trip failed\n  ber %x\n  got %x\n want %x", ugly, got, der)
		}
	}
}

// A 1 MiB value read in 1 KiB segments, as openssl cms -stream writes content.
func TestLargeStreamedContent(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	in := []byte{0x30, 0x80, 0xa0, 0x80, 0x24, 0x80}
	for p := 0; p < len(content); p += 1024 {
		in = append(in, 0x04, 0x82, 0x04, 0x00)
		in = append(in, content[p:p+1024]...)
	}
	in = append(in, 0, 0, 0, 0, 0, 0)
	out, err := Normalize(in)
	if err != nil {
		t.Fatal(err)
	}
	s := cryptobyte.String(out)
	var seq, ctx, oct cryptobyte.String
	if !s.ReadASN1(&seq, 0x30) || !seq.ReadASN1(&ctx, 0xa0) || !ctx.ReadASN1(&oct, 0x04) || !bytes.Equal(oct, content) {
		t.Fatal("content not recovered")
	}
}

func BenchmarkNormalize(b *testing.B) {
	content := bytes.Repeat([]byte("x"), 1<<20)
	in := []byte{0x30, 0x80, 0x24, 0x80}
	for p := 0; p < len(content); p += 4096 {
		in = append(in, 0x04, 0x82, 0x10, 0x00)
		in = append(in, content[p:p+4096]...)
	}
	in = append(in, 0, 0, 0, 0)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Normalize(in); err != nil {
			b.Fatal(err)
		}
	}
}
