package pdfsign

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/pdf"
)

// stampRect is an 85 × 30 mm stamp 20 mm from the left and bottom edges of
// the page as shown.
var stampRect = [4]float64{pdf.Mm(20), pdf.Mm(20), pdf.Mm(105), pdf.Mm(50)}

// A visible stamp on pages turned by /Rotate 0, 90, 180 and 270: the
// signature verifies, qpdf accepts the file, and the page rendered by
// pdftoppm shows the stamp's frame where it was asked for, its text upright
// (the centred bold heading in the top band of ink, the left-aligned
// validity line in the bottom one). With PDFSIGN_KEEP=dir the PDFs and PNGs
// are kept there to look at.
func TestStampRotated(t *testing.T) {
	pdftoppm := tool(t, "pdftoppm")
	qpdf := tool(t, "qpdf")
	p := gostPKI(t, gost3410.TC26256A)
	icc, err := os.ReadFile("/usr/share/color/icc/sRGB.icc")
	if err != nil {
		icc = nil
	}
	for _, rot := range []int{0, 90, 180, 270} {
		t.Run(fmt.Sprint(rot), func(t *testing.T) {
			orig := minimalPDFPage(1, 0, icc, fmt.Sprintf(" /Rotate %d", rot))
			signed := mustSign(t, orig, p, Options{Stamp: &Stamp{Rect: stampRect}})
			wantValid(t, mustVerify(t, signed).Signatures[0])
			f := writeFile(t, "stamp.pdf", signed)
			if out, err := exec.Command(qpdf, "--check", f).CombinedOutput(); err != nil {
				t.Errorf("qpdf --check: %v\n%s", err, out)
			}
			const dpi = 100
			if out, err := exec.Command(pdftoppm, "-r", fmt.Sprint(dpi), "-png", "-singlefile", f, f).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v\n%s", err, out)
			}
			img := readPNG(t, f+".png")
			if keep := os.Getenv("PDFSIGN_KEEP"); keep != "" {
				os.WriteFile(filepath.Join(keep, fmt.Sprintf("stamp-%d.pdf", rot)), signed, 0o644)
				os.WriteFile(filepath.Join(keep, fmt.Sprintf("stamp-%d.png", rot)), readFileT(t, f+".png"), 0o644)
			}
			b := img.Bounds()
			px := func(mm float64) int { return int(mm / 25.4 * dpi) }
			// The frame: blue ink whose bounding box is the stamp's rectangle,
			// measured from the bottom-left of the page as shown.
			box := inkBox(img, b, blue)
			want := image.Rect(px(20), b.Dy()-px(50), px(105), b.Dy()-px(20))
			if d := max(abs(box.Min.X-want.Min.X), abs(box.Min.Y-want.Min.Y), abs(box.Max.X-want.Max.X), abs(box.Max.Y-want.Max.Y)); d > 3 {
				t.Fatalf("stamp at %v, want %v (page %v)", box, want, b)
			}
			// Bands of text rows inside the frame.
			in := box.Inset(px(2.5))
			bands := textBands(img, in)
			if len(bands) < 4 {
				t.Fatalf("%d text bands: the text is not upright", len(bands))
			}
			first, last := bands[0], bands[len(bands)-1]
			l, r := first.Min.X-in.Min.X, in.Max.X-first.Max.X
			if abs(l-r) > px(4) {
				t.Errorf("the top band is not centred (%d, %d px): not the heading", l, r)
			}
			if l, r := last.Min.X-in.Min.X, in.Max.X-last.Max.X; l >= r {
				t.Errorf("the bottom band is not left-aligned (%d, %d px)", l, r)
			}
		})
	}
	if _, err := SignBytes(t.Context(), minimalPDF(1, 0), p.signer, Options{Stamp: &Stamp{Rect: [4]float64{0, 0, 10, 0}}}); err == nil {
		t.Error("empty rectangle accepted")
	}
	// Off a page shown landscape: up to 305 mm from the left of a 297 mm wide page.
	if _, err := SignBytes(t.Context(), minimalPDFPage(1, 0, nil, " /Rotate 90"), p.signer,
		Options{Stamp: &Stamp{Rect: [4]float64{pdf.Mm(220), 10, pdf.Mm(305), 100}}}); err == nil {
		t.Error("a stamp off the page accepted")
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func readPNG(t *testing.T, name string) image.Image {
	t.Helper()
	fh, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// blue is the stamp's ink (pdf.Blue), as rendered.
func blue(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return b>>8 > 100 && int(b>>8)-int(r>>8) > 60 && int(b>>8)-int(g>>8) > 30
}

// inkBox is the bounding box of the pixels of r for which ink holds.
func inkBox(img image.Image, r image.Rectangle, ink func(image.Image, int, int) bool) image.Rectangle {
	box := image.Rectangle{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if ink(img, x, y) {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

// textBands are the runs of rows of r with blue ink, each with the extent
// of its ink.
func textBands(img image.Image, r image.Rectangle) []image.Rectangle {
	var bands []image.Rectangle
	var cur image.Rectangle
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := inkBox(img, image.Rect(r.Min.X, y, r.Max.X, y+1), blue)
		switch {
		case !row.Empty() && cur.Empty():
			cur = row
		case !row.Empty():
			cur = cur.Union(row)
		case !cur.Empty():
			bands = append(bands, cur)
			cur = image.Rectangle{}
		}
	}
	if !cur.Empty() {
		bands = append(bands, cur)
	}
	return bands
}

// A rectangle too low for the stamp's text is refused; one tall enough for
// a long owner's wrapped lines is taken.
func TestStampHeight(t *testing.T) {
	p := gostPKI(t, gost3410.TC26256A)
	long := pdf.Stamp{Certificate: "01AB", Owner: strings.Repeat("Очень длинное наименование организации ", 4)}
	w := pdf.Mm(85)
	if _, err := SignBytes(t.Context(), minimalPDF(1, 0), p.signer, Options{Stamp: &Stamp{Rect: [4]float64{50, 50, 50 + w, 50 + pdf.Mm(30)}, Content: long}}); err == nil || !strings.Contains(err.Error(), "needs") {
		t.Errorf("a low rectangle: %v", err)
	}
	mustSign(t, minimalPDF(1, 0), p, Options{Stamp: &Stamp{Rect: [4]float64{50, 50, 50 + w, 50 + long.Height(w)}, Content: long}})
}
