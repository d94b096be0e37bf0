package pdfsign

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
)

func wantValid(t *testing.T, s checked) {
	t.Helper()
	if !s.Valid() {
		t.Errorf("%s: not valid: byteRange %v %s, code %s %s", s.Field, s.ByteRangeOK, s.ByteRangeProblem, s.code, s.detail)
	}
}

func TestSignVerify(t *testing.T) {
	for _, ps := range []*gost3410.ParamSet{gost3410.TC26256A, gost3410.CryptoProA, gost3410.TC26512A} {
		t.Run(ps.Name(), func(t *testing.T) {
			p := gostPKI(t, ps)
			signed := mustSign(t, minimalPDF(2, 0), p, Options{Reason: "Согласовано"})
			res := mustVerify(t, signed)
			if len(res.Signatures) != 1 {
				t.Fatalf("%d signatures", len(res.Signatures))
			}
			s := res.Signatures[0]
			wantValid(t, s)
			if s.Field != "Signature1" || s.SubFilter != "ETSI.CAdES.detached" || s.Modified {
				t.Errorf("%+v", s)
			}
		})
	}
}

func TestTwoSignatures(t *testing.T) {
	a, b := gostPKI(t, gost3410.TC26256A), gostPKI(t, gost3410.TC26512A)
	one := mustSign(t, minimalPDF(1, 0), a, Options{})
	two := mustSign(t, one, b, Options{Page: 1})
	res := mustVerify(t, two)
	if len(res.Signatures) != 2 || res.Signatures[0].Field != "Signature1" || res.Signatures[1].Field != "Signature2" {
		t.Fatalf("%+v", res.Signatures)
	}
	wantValid(t, res.Signatures[0])
	first := res.Signatures[0]
	if !first.Modified || first.LaterSignatures != 1 || len(first.ChangedPages) != 1 {
		t.Errorf("first signature: %s", first.Summary())
	}
	if res.Signatures[1].Modified {
		t.Error("the last signature reported as modified")
	}
	if res := mustVerify(t, two); !res.Signatures[1].Valid() {
		t.Error("second signature not valid")
	}
}

func TestTamper(t *testing.T) {
	p := gostPKI(t, gost3410.TC26256A)
	signed := mustSign(t, minimalPDF(1, 0), p, Options{})
	s := mustVerify(t, signed).Signatures[0]
	for _, at := range []int{10, s.ByteRange[1] - 5, s.ByteRange[2] + 3} {
		bad := bytes.Clone(signed)
		bad[at] ^= 0x01
		res, err := verifyCMS(bad)
		if err != nil {
			continue // the change broke the structure: also not valid
		}
		if len(res.Signatures) == 1 && res.Signatures[0].Valid() {
			t.Errorf("byte %d changed, still valid", at)
		}
	}
}

// An update appended after the signature (here a changed page) is reported
// while the signature itself stays valid over its revision.
func TestAppendedUpdate(t *testing.T) {
	p := gostPKI(t, gost3410.TC26256A)
	signed := mustSign(t, minimalPDF(2, 0), p, Options{})
	d, err := parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	u := &update{base: len(signed), offsets: map[int]int{}}
	page, _ := d.DictOf(ref{Num: 5})
	page = cloneDict(page)
	page["Rotate"] = 90
	u.put(5, page)
	size := d.Trailer["Size"].(int)
	u.finish(dict{"Size": size, "Root": d.Trailer["Root"], "Prev": startxrefOf(signed)}, false, 0)
	changed := append(bytes.Clone(signed), u.buf.Bytes()...)
	s := mustVerify(t, changed).Signatures[0]
	wantValid(t, s)
	if !s.Modified || len(s.ChangedObjects) != 1 || len(s.ChangedPages) != 1 || s.ChangedPages[0] != 2 {
		t.Errorf("%+v: %s", s, s.Summary())
	}
	if !strings.Contains(s.Summary(), "1 objects changed") {
		t.Error(s.Summary())
	}
}

func TestMalformed(t *testing.T) {
	good := minimalPDF(1, 0)
	cases := map[string][]byte{
		"empty":        nil,
		"not a PDF":    []byte("hello, world"),
		"truncated":    good[:len(good)/2],
		"no trailer":   bytes.Replace(good, []byte("trailer"), []byte("trailor"), 1),
		"bad xref":     bytes.Replace(good, []byte("xref\n0 "), []byte("xref\nX "), 1),
		"bad offset":   bytes.Replace(good, []byte("startxref\n"), []byte("startxref\n9"), 1),
		"encrypted":    bytes.Replace(good, []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt 1 0 R"), 1),
		"catalog gone": bytes.Replace(good, []byte("/Type /Catalog /Pages 2 0 R"), []byte("/Type /Catalog /Pages 9 0 R"), 1),
	}
	p := gostPKI(t, gost3410.TC26256A)
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			err := Sign(context.Background(), bytes.NewReader(data), int64(len(data)), &out, p.signer, Options{})
			if err == nil {
				t.Fatal("signed")
			}
			if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "pdfsign: ") {
				t.Errorf("error %q", err)
			}
			if _, err := Find(data); err == nil && name != "catalog gone" {
				t.Error("verified")
			}
		})
	}
}

// qpdf finds no error or warning in what Sign writes, for a file with a
// table and (converted by qpdf) one with a cross-reference stream; pdfsig
// lists the fields.
func TestOracles(t *testing.T) {
	qpdf := tool(t, "qpdf")
	p := gostPKI(t, gost3410.TC26256A)
	orig := minimalPDF(2, 0)
	in := writeFile(t, "in.pdf", orig)
	streamed := in + ".xrefstm.pdf"
	if out, err := exec.Command(qpdf, "--object-streams=generate", in, streamed).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v\n%s", err, out)
	}
	for name, data := range map[string][]byte{"table": orig, "xref stream": readFileT(t, streamed)} {
		t.Run(name, func(t *testing.T) {
			signed := mustSign(t, mustSign(t, data, p, Options{}), p, Options{})
			f := writeFile(t, "signed.pdf", signed)
			out, err := exec.Command(qpdf, "--check", f).CombinedOutput()
			if err != nil || bytes.Contains(bytes.ToLower(out), []byte("warning")) {
				t.Errorf("qpdf --check: %v\n%s", err, out)
			}
			res := mustVerify(t, signed)
			if len(res.Signatures) != 2 {
				t.Fatalf("%d signatures", len(res.Signatures))
			}
			for _, s := range res.Signatures {
				wantValid(t, s)
			}
			pdfsig := tool(t, "pdfsig")
			out, _ = exec.Command(pdfsig, f).CombinedOutput()
			if !bytes.Contains(out, []byte("Signature #2")) {
				t.Errorf("pdfsig:\n%s", out)
			}
		})
	}
}

func TestFieldNames(t *testing.T) {
	p := gostPKI(t, gost3410.TC26256A)
	one := mustSign(t, minimalPDF(1, 0), p, Options{FieldName: "Подпись директора"})
	if _, err := SignBytes(context.Background(), one, p.signer, Options{FieldName: "Подпись директора"}); err == nil {
		t.Error("a taken name accepted")
	}
	if _, err := SignBytes(context.Background(), one, p.signer, Options{FieldName: "a.b"}); err == nil {
		t.Error("a name with a period accepted")
	}
	two := mustSign(t, one, p, Options{})
	res := mustVerify(t, two)
	if len(res.Signatures) != 2 || res.Signatures[0].Field != "Подпись директора" || res.Signatures[1].Field != "Signature1" {
		t.Errorf("%+v", res.Signatures)
	}
}

func TestCertifiedNoChanges(t *testing.T) {
	p := gostPKI(t, gost3410.TC26256A)
	doc := minimalPDF(1, 0)
	certified := bytes.Replace(doc, []byte("/Type /Catalog"), []byte("/Perms << /DocMDP << /Type /Sig /Reference [<< /TransformMethod /DocMDP /TransformParams << /P 1 /V /1.2 >> >>] >> >> /Type /Catalog"), 1)
	certified = fixXref(t, doc, certified)
	if _, err := SignBytes(context.Background(), certified, p.signer, Options{}); err != ErrCertified {
		t.Errorf("got %v, want ErrCertified", err)
	}
	mustSign(t, bytes.Replace(certified, []byte("/P 1"), []byte("/P 2"), 1), p, Options{})
}

// fixXref rebuilds minimalPDF's cross-reference table after an edit of
// the catalog (object 1) that shifts every later object.
func fixXref(t *testing.T, orig, edited []byte) []byte {
	t.Helper()
	d := len(edited) - len(orig)
	x := bytes.Index(edited, []byte("xref\n"))
	var out bytes.Buffer
	out.Write(edited[:x])
	lines := strings.Split(string(edited[x:]), "\n")
	out.WriteString(lines[0] + "\n" + lines[1] + "\n") // xref, "0 N"
	i := 2
	for ; strings.HasSuffix(lines[i], "\r"); i++ {
		var o, g int
		var kind string
		fmt.Sscanf(lines[i], "%d %d %s", &o, &g, &kind)
		if i > 3 { // objects after the catalog (object 1) moved
			o += d
		}
		fmt.Fprintf(&out, "%010d %05d %s\r\n", o, g, kind)
	}
	rest := strings.Join(lines[i:], "\n")
	rest = rest[:strings.Index(rest, "startxref\n")]
	out.WriteString(rest)
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", x)
	return out.Bytes()
}

// TestSignReusesBuffers: files signed one after another through Sign's
// pooled read buffer — a large one, then a smaller one, then a size that
// claims more bytes than the reader has — each come out right, and the
// short read is an error with nothing written, not a file padded with the
// previous file's bytes.
func TestSignReusesBuffers(t *testing.T) {
	p := gostPKI(t, gost3410.TC26256A)
	big, small := minimalPDF(3, 64<<10), minimalPDF(1, 0)
	for _, data := range [][]byte{big, small, big, small} {
		wantValid(t, mustVerify(t, mustSign(t, data, p, Options{})).Signatures[0])
	}
	var out bytes.Buffer
	err := Sign(context.Background(), bytes.NewReader(small), int64(len(small))+100, &out, p.signer, Options{})
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") || out.Len() != 0 {
		t.Errorf("size beyond the reader: %v, %d bytes written", err, out.Len())
	}
}
