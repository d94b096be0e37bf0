package pdfcheck

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"strconv"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/podpis/podpis/pdf"
	"github.com/podpis/podpis/pdf/internal/pdfread"
)

// QRCode is a QR code found on a page.
type QRCode struct {
	// Page is the 1-based page.
	Page int `json:"page"`
	// X and Y are the code's top-left corner — the outer edge of its
	// top-left finder pattern, inside the quiet zone — in millimetres from
	// the top-left corner of the page's MediaBox (/Rotate is not applied).
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	Payload string  `json:"payload"`
	// Image says the code is an image XObject (Object is its number);
	// otherwise it is drawn with filled rectangles.
	Image  bool `json:"image,omitempty"`
	Object int  `json:"object,omitempty"`
}

const (
	qrScale      = 4        // raster pixels per point
	qrMinRects   = 20       // fewer filled rectangles than this is not a QR code
	qrMaxRect    = 300      // points: no QR module or run is longer
	qrMaxRects   = 100000   // rectangles rasterised per page
	qrMaxPixels  = 16 << 20 // per image
	qrMaxRaster  = 4 << 20  // per page raster: an A4 page at 2 pixels per point
	qrMaxRasters = 50       // pages and images decoded per file
	qrMaxContent = 32 << 20 // content-stream bytes interpreted per file
)

// matrix is a PDF transformation [a b c d e f] (ISO 32000-1 §8.3.4).
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n: m applied first.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5]
}

type rect struct{ x, y, w, h float64 }

// finder walks the pages' content streams and collects what may be QR
// codes.
type finder struct {
	d       *pdfread.Document
	budget  int // content bytes left
	rasters int
	found   []QRCode
	page    int
	box     [4]float64 // MediaBox
	rects   []rect
	images  map[int]bool
}

// findQRCodes decodes the QR codes on the pages: filled dark rectangles
// ("re" then "f", as package pdf and most generators draw them), under any
// cm transformation and inside Form XObjects, rasterised per page; and image
// XObjects (8- or 1-bit grey or RGB, Flate or not, or JPEG).
func findQRCodes(d *pdfread.Document, pages []pdfread.Ref) []QRCode {
	f := &finder{d: d, budget: qrMaxContent, images: map[int]bool{}, found: []QRCode{}}
	for i, p := range pages {
		pd, _ := d.DictOf(p)
		f.page, f.rects = i+1, nil
		f.box = [4]float64{0, 0, pdf.A4Width, pdf.A4Height}
		if mb := f.mediaBox(pd); mb != nil {
			f.box = *mb
		}
		res := (&checker{d: d}).resources(pd)
		var content []byte
		cs, _ := d.Resolve(pd["Contents"])
		parts := []any{cs}
		if a, ok := cs.(pdfread.Array); ok {
			parts = a
		}
		for _, part := range parts {
			if s, ok := part.(pdfread.Ref); ok {
				part, _ = d.Resolve(s)
			}
			if st, ok := part.(pdfread.Stream); ok {
				if b, err := d.Decode(st); err == nil {
					content = append(append(content, b...), '\n')
				}
			}
		}
		f.run(content, res, identity, 0)
		if f.rasters < qrMaxRasters && len(f.rects) >= qrMinRects {
			f.rasters++
			f.found = append(f.found, f.decodeRects()...)
		}
	}
	return f.found
}

func (f *finder) mediaBox(page dict) *[4]float64 {
	for range maxFormDepth * 4 {
		if page == nil {
			return nil
		}
		o, _ := f.d.Resolve(page["MediaBox"])
		if a, ok := o.(array); ok && len(a) == 4 {
			var b [4]float64
			for i, v := range a {
				b[i], _ = pdfread.Number(v)
			}
			return &b
		}
		page, _ = f.d.DictOf(page["Parent"])
	}
	return nil
}

// run interprets a content stream: the graphics state's CTM and fill
// colour, rectangles filled, XObjects drawn.
func (f *finder) run(s []byte, res dict, ctm matrix, depth int) {
	if f.budget -= len(s); f.budget < 0 || depth > maxFormDepth {
		return
	}
	type gstate struct {
		ctm  matrix
		dark bool
	}
	var (
		nums    []float64
		path    []rect
		lastNam string
		gs      = gstate{ctm, true}
		stack   []gstate
	)
	const delims = " \n\r\t\f\x00()<>[]{}/%"
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0:
			i++
			continue
		case c == '%':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
			continue
		case c == '(':
			depth := 0
			for ; i < len(s); i++ {
				if s[i] == '\\' {
					i++
				} else if s[i] == '(' {
					depth++
				} else if s[i] == ')' {
					depth--
					if depth == 0 {
						i++
						break
					}
				}
			}
			nums = nums[:0]
			continue
		case c == '/':
			j := i + 1
			for j < len(s) && bytes.IndexByte([]byte(delims), s[j]) < 0 {
				j++
			}
			lastNam = string(s[i+1 : j])
			i = j
			continue
		case bytes.IndexByte([]byte("<>[]{}"), c) >= 0:
			i++
			continue
		}
		j := i
		for j < len(s) && bytes.IndexByte([]byte(delims), s[j]) < 0 {
			j++
		}
		tok := string(s[i:j])
		i = j
		if v, err := strconv.ParseFloat(tok, 64); err == nil {
			nums = append(nums, v)
			continue
		}
		switch tok {
		case "q":
			if len(stack) < 64 {
				stack = append(stack, gs)
			}
		case "Q":
			if len(stack) > 0 {
				gs, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
		case "cm":
			if len(nums) >= 6 {
				n := nums[len(nums)-6:]
				gs.ctm = matrix{n[0], n[1], n[2], n[3], n[4], n[5]}.mul(gs.ctm)
			}
		case "rg":
			if len(nums) >= 3 {
				n := nums[len(nums)-3:]
				gs.dark = 0.3*n[0]+0.59*n[1]+0.11*n[2] < 0.5
			}
		case "g":
			if len(nums) >= 1 {
				gs.dark = nums[len(nums)-1] < 0.5
			}
		case "k":
			if len(nums) >= 4 {
				n := nums[len(nums)-4:]
				gs.dark = n[3] > 0.5 || (n[0]+n[1]+n[2])/3 > 0.5
			}
		case "re":
			if len(nums) >= 4 {
				n := nums[len(nums)-4:]
				path = append(path, transformRect(gs.ctm, rect{n[0], n[1], n[2], n[3]}))
			}
		case "f", "F", "f*":
			if gs.dark && len(f.rects) < qrMaxRects {
				f.rects = append(f.rects, path...)
			}
			path = path[:0]
		case "n", "S", "s", "b", "B", "b*", "B*":
			path = path[:0]
		case "Do":
			f.xobject(lastNam, res, gs.ctm, depth)
		case "BI": // an inline image: skip to EI
			if k := bytes.Index(s[i:], []byte("EI")); k >= 0 {
				i += k + 2
			} else {
				i = len(s)
			}
		}
		nums = nums[:0]
	}
}

// transformRect returns the bounding box of r under m.
func transformRect(m matrix, r rect) rect {
	x0, y0 := math.Inf(1), math.Inf(1)
	x1, y1 := math.Inf(-1), math.Inf(-1)
	for _, p := range [][2]float64{{r.x, r.y}, {r.x + r.w, r.y}, {r.x, r.y + r.h}, {r.x + r.w, r.y + r.h}} {
		x, y := m.apply(p[0], p[1])
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
	}
	return rect{x0, y0, x1 - x0, y1 - y0}
}

// xobject follows "/Name Do": a Form is interpreted in place, an image
// decoded.
func (f *finder) xobject(nm string, res dict, ctm matrix, depth int) {
	xo, _ := f.d.DictOf(res["XObject"])
	r := xo[name(nm)]
	o, _ := f.d.Resolve(r)
	st, ok := o.(pdfread.Stream)
	if !ok {
		return
	}
	switch st.Dict["Subtype"] {
	case name("Form"):
		m := identity
		if a, ok := st.Dict["Matrix"].(array); ok && len(a) == 6 {
			for i, v := range a {
				m[i], _ = pdfread.Number(v)
			}
		}
		body, err := f.d.Decode(st)
		if err != nil {
			return
		}
		sub, _ := f.d.DictOf(st.Dict["Resources"])
		if sub == nil {
			sub = res
		}
		f.run(body, sub, m.mul(ctm), depth+1)
	case name("Image"):
		num := 0
		if rf, ok := r.(pdfread.Ref); ok {
			num = rf.Num
		}
		if f.rasters >= qrMaxRasters || (num != 0 && f.images[num]) {
			return
		}
		f.images[num] = true
		img := f.image(st)
		if img == nil {
			return
		}
		f.rasters++
		b := img.Bounds()
		for _, res := range decodeImage(img) {
			px, py := corner(img, res)
			// Image space: the unit square, row 0 at the top (§8.9.4).
			x, y := ctm.apply(px/float64(b.Dx()), 1-py/float64(b.Dy()))
			f.found = append(f.found, f.code(x, y, res.GetText(), num))
		}
	}
}

// code places a QR code whose top-left corner is at (x, y) in page space.
func (f *finder) code(x, y float64, payload string, image int) QRCode {
	return QRCode{
		Page:    f.page,
		X:       math.Round((x-f.box[0])/pdf.Mm(1)*10) / 10,
		Y:       math.Round((f.box[3]-y)/pdf.Mm(1)*10) / 10,
		Payload: payload,
		Image:   image != 0,
		Object:  image,
	}
}

// image decodes an image XObject's samples: 8-bit (or 1-bit) grey or RGB,
// Flate-compressed or not, or a baseline JPEG.
func (f *finder) image(st pdfread.Stream) image.Image {
	w, _ := st.Dict["Width"].(int)
	h, _ := st.Dict["Height"].(int)
	if w <= 0 || h <= 0 || w > 1<<14 || h > 1<<14 || w*h > qrMaxPixels {
		return nil
	}
	filter := st.Dict["Filter"]
	if a, ok := filter.(array); ok && len(a) == 1 {
		filter = a[0]
	}
	if filter == name("DCTDecode") {
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(st.Raw)); err != nil || cfg.Width*cfg.Height > qrMaxPixels {
			return nil
		}
		img, err := jpeg.Decode(bytes.NewReader(st.Raw))
		if err != nil {
			return nil
		}
		return img
	}
	samples, err := f.d.Decode(st)
	if err != nil {
		return nil
	}
	bpc, _ := st.Dict["BitsPerComponent"].(int)
	g := image.NewGray(image.Rect(0, 0, w, h))
	switch {
	case bpc == 8 && len(samples) >= w*h && len(samples) < 3*w*h:
		copy(g.Pix, samples)
	case bpc == 8 && len(samples) >= 3*w*h:
		for i := range g.Pix {
			r, gg, b := int(samples[3*i]), int(samples[3*i+1]), int(samples[3*i+2])
			g.Pix[i] = uint8((299*r + 587*gg + 114*b) / 1000)
		}
	case bpc == 1 && len(samples) >= (w+7)/8*h:
		stride := (w + 7) / 8
		for y := range h {
			for x := range w {
				if samples[y*stride+x/8]&(0x80>>(x%8)) != 0 {
					g.Pix[y*w+x] = 0xff
				}
			}
		}
		if dec, ok := st.Dict["Decode"].(array); ok && len(dec) == 2 && dec[0] == 1 {
			for i := range g.Pix {
				g.Pix[i] ^= 0xff
			}
		}
	default:
		return nil
	}
	return g
}

// decodeRects rasterises the page's dark rectangles and decodes the QR
// codes there.
func (f *finder) decodeRects() []QRCode {
	var keep []rect
	for _, r := range f.rects {
		if r.w > qrMaxRect || r.h > qrMaxRect || r.w <= 0 || r.h <= 0 ||
			r.x < f.box[0]-1 || r.y < f.box[1]-1 || r.x+r.w > f.box[2]+1 || r.y+r.h > f.box[3]+1 {
			continue
		}
		keep = append(keep, r)
	}
	if len(keep) < qrMinRects {
		return nil
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, r := range keep {
		minX, minY, maxX, maxY = min(minX, r.x), min(minY, r.y), max(maxX, r.x+r.w), max(maxY, r.y+r.h)
	}
	// A margin for the quiet zone.
	minX, minY, maxX, maxY = minX-20, minY-20, maxX+20, maxY+20
	scale := float64(qrScale)
	for (maxX-minX)*scale*(maxY-minY)*scale > qrMaxRaster {
		scale /= 2
	}
	w, h := int((maxX-minX)*scale), int((maxY-minY)*scale)
	if w <= 0 || h <= 0 {
		return nil
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	budget := 4 * w * h // painted pixels, so overlapping rectangles stay cheap
	for _, r := range keep {
		// PDF y grows upwards; image rows downwards.
		px0, px1 := int(math.Round((r.x-minX)*scale)), int(math.Round((r.x+r.w-minX)*scale))
		py0, py1 := int(math.Round((maxY-r.y-r.h)*scale)), int(math.Round((maxY-r.y)*scale))
		if budget -= max(px1-px0, 0) * max(py1-py0, 0); budget < 0 {
			return nil
		}
		for y := max(py0, 0); y < min(py1, h); y++ {
			for x := max(px0, 0); x < min(px1, w); x++ {
				img.SetGray(x, y, color.Gray{0})
			}
		}
	}
	var out []QRCode
	for _, r := range decodeImage(img) {
		px, py := corner(img, r)
		out = append(out, f.code(minX+px/scale, maxY-py/scale, r.GetText(), 0))
	}
	return out
}

// corner returns the top-left corner, in img's pixels, of the decoded QR
// code: from the top-left finder pattern's centre (zxing's result points are
// bottom-left, top-left, top-right) left and up to the pattern's outer edge,
// the third dark/light change (the finder's 1:1:3:1:1 rings, ISO/IEC 18004
// §6.3.3).
func corner(img image.Image, r *gozxing.Result) (float64, float64) {
	pts := r.GetResultPoints()
	if len(pts) < 3 {
		x, y := math.Inf(1), math.Inf(1)
		for _, p := range pts {
			x, y = min(x, p.GetX()), min(y, p.GetY())
		}
		return x, y
	}
	cx, cy := int(pts[1].GetX()), int(pts[1].GetY())
	return edge(img, cx, cy, -1, 0), edge(img, cx, cy, 0, -1)
}

// edge walks from (x, y) by (dx, dy) (one of them -1) to the third change
// between dark and light and returns the coordinate of that boundary along
// the walk.
func edge(img image.Image, x, y, dx, dy int) float64 {
	b := img.Bounds()
	dark := func(x, y int) bool { return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 128 }
	start := float64(x*-dx + y*-dy)
	if !image.Pt(x, y).In(b) {
		return start
	}
	prev, changes := dark(x, y), 0
	for range 4096 {
		x, y = x+dx, y+dy
		if !image.Pt(x, y).In(b) {
			break
		}
		if d := dark(x, y); d != prev {
			prev = d
			if changes++; changes == 3 {
				return float64(x*-dx+y*-dy) + 1
			}
		}
	}
	return start
}

// decodeImage decodes the QR codes in img.
func decodeImage(img image.Image) (results []*gozxing.Result) {
	// The decoder reads what a stranger's PDF holds: a panic in it is
	// "no QR code", not a crash.
	defer func() {
		if recover() != nil {
			results = nil
		}
	}()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil
	}
	hints := map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
		gozxing.DecodeHintType_TRY_HARDER:    true,
	}
	results, err = multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	if err != nil || len(results) == 0 {
		r, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
		if err != nil {
			return nil
		}
		results = []*gozxing.Result{r}
	}
	return results
}
