package pdf

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func testImages(t *testing.T) (pngRGBA, pngGray, jpg []byte) {
	t.Helper()
	rgba := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	gray := image.NewGray(image.Rect(0, 0, 16, 16))
	for y := range 20 {
		for x := range 40 {
			rgba.Set(x, y, color.NRGBA{uint8(6 * x), 40, uint8(12 * y), uint8(255 - 5*x)})
			gray.Set(x%16, y%16, color.Gray{uint8(16 * (x % 16))})
		}
	}
	var a, g, j bytes.Buffer
	png.Encode(&a, rgba)
	png.Encode(&g, gray)
	jpeg.Encode(&j, rgba, &jpeg.Options{Quality: 80})
	return a.Bytes(), g.Bytes(), j.Bytes()
}

func TestImages(t *testing.T) {
	a, g, j := testImages(t)
	d := New(Options{Title: "Изображения", Created: testCreated})
	for _, b := range [][]byte{a, g, j} {
		im, err := ParseImage(b)
		if err != nil {
			t.Fatal(err)
		}
		d.Image(im, Mm(60), Center)
		d.Space(6)
	}
	out := d.Bytes()
	checkStructure(t, out)
	for _, want := range []string{"/Filter /DCTDecode", "/ColorSpace /DeviceGray", "/ColorSpace /DeviceRGB", "/XObject << /Im1"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("no %q", want)
		}
	}
	p := filepath.Join(t.TempDir(), "img.pdf")
	os.WriteFile(p, out, 0o644)
	if o := os.Getenv("PODPIS_PDF_OUT"); o != "" {
		os.WriteFile(o, out, 0o644)
	}
	checkOracles(t, p)

	if _, err := ParseImage([]byte("GIF89a")); !errors.Is(err, ErrImageFormat) {
		t.Errorf("GIF: %v", err)
	}
	if _, err := ParseImage(a[:40]); err == nil {
		t.Error("truncated PNG accepted")
	}
}
