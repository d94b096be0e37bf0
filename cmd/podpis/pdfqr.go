package main

import (
	"bytes"
	"compress/zlib"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"regexp"
	"strconv"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/podpis/podpis/pdf"
)

// pdfQR is a QR code found on a page.
type pdfQR struct {
	// Page is the 1-based page, 0 when the stream is not a page's content
	// (a form XObject, or a page podpis could not place).
	Page int `json:"page"`
	// Object is the content stream's object number.
	Object int `json:"object"`
	// X and Y are the code's top-left corner in millimetres from the page's
	// top-left corner (the finder patterns' bounding box, approximate).
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	Payload string  `json:"payload"`
	// Image says the code is a raster image XObject; its position on the
	// page is not worked out (X, Y and Page are 0).
	Image bool `json:"image,omitempty"`
}

const (
	qrScale     = 4  // raster pixels per point
	qrMinRects  = 20 // fewer filled rectangles than this is not a QR code
	qrMaxStream = 8 << 20
	qrMaxRect   = 300    // points: no QR module or run is longer
	qrMaxRects  = 100000 // rectangles rasterised per stream
	// qrMaxStreams bounds the content streams rasterised per file (each
	// costs up to a fifth of a second).
	qrMaxStreams = 50
)

var (
	reObjHeader  = regexp.MustCompile(`(\d+)\s+\d+\s+obj\b`)
	reKids       = regexp.MustCompile(`/Type\s*/Pages\b`)
	reRef        = regexp.MustCompile(`(\d+)\s+\d+\s+R\b`)
	reContents   = regexp.MustCompile(`/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)`)
	reImage      = regexp.MustCompile(`/Subtype\s*/Image\b`)
	reWidth      = regexp.MustCompile(`/Width\s+(\d+)`)
	reHeight     = regexp.MustCompile(`/Height\s+(\d+)`)
	reBPC        = regexp.MustCompile(`/BitsPerComponent\s+(\d+)`)
	reStreamLen  = regexp.MustCompile(`/Length\s+(\d+)(\s+\d+\s+R)?`)
	reNotContent = regexp.MustCompile(`/(Length1|Length2|Length3|Type\s*/(ObjStm|XRef|Metadata|EmbeddedFile)|Subtype\s*/(Image|XML))\b`)
)

// findQRCodes decodes the QR codes drawn as vector rectangles (filled
// "re f" paths, as package pdf and most generators draw them) in the content
// streams of data. QR codes drawn as images are not looked for.
func findQRCodes(data []byte) []pdfQR {
	pageOf := contentPages(data)
	var found []pdfQR
	rasterised := 0
	for _, loc := range reStreamKw.FindAllIndex(data, -1) {
		start := max(0, loc[0]-4096)
		dict := data[start:loc[0]]
		obj := 0
		if ms := reObjHeader.FindAllSubmatchIndex(dict, -1); len(ms) > 0 {
			m := ms[len(ms)-1]
			obj, _ = strconv.Atoi(string(dict[m[2]:m[3]]))
			dict = dict[m[0]:]
		}
		if reImage.Match(dict) {
			found = append(found, decodeImageXObject(obj, dict, data[loc[1]:])...)
			continue
		}
		if reNotContent.Match(dict) {
			continue
		}
		end := bytes.Index(data[loc[1]:], []byte("endstream"))
		if end < 0 {
			continue
		}
		raw := data[loc[1] : loc[1]+end]
		content := raw
		if reFilter.Match(dict) {
			zr, err := zlib.NewReader(bytes.NewReader(raw))
			if err != nil {
				continue
			}
			content, _ = io.ReadAll(io.LimitReader(zr, qrMaxStream))
		}
		rects := filledRects(content)
		if len(rects) < qrMinRects {
			continue
		}
		if rasterised++; rasterised > qrMaxStreams {
			break
		}
		for _, q := range decodeRects(rects) {
			q.Object = obj
			q.Page = pageOf[obj]
			found = append(found, q)
		}
	}
	return found
}

// contentPages maps content stream object numbers to 1-based page numbers
// for a flat page tree whose objects are not in object streams.
func contentPages(data []byte) map[int]int {
	pages := map[int]int{}
	loc := reKids.FindIndex(data)
	if loc == nil {
		return pages
	}
	d := enclosingDict(data, loc[0])
	i := bytes.Index(d, []byte("/Kids"))
	if i < 0 {
		return pages
	}
	j := bytes.IndexByte(d[i:], ']')
	if j < 0 {
		return pages
	}
	for n, m := range reRef.FindAllSubmatch(d[i:i+j], -1) {
		num, _ := strconv.Atoi(string(m[1]))
		// The newest version of the page object.
		re := regexp.MustCompile(`(?:^|\s)` + strconv.Itoa(num) + `\s+0\s+obj\b`)
		ms := re.FindAllIndex(data, -1)
		if len(ms) == 0 {
			continue
		}
		pd := data[ms[len(ms)-1][1]:]
		if e := bytes.Index(pd, []byte("endobj")); e >= 0 {
			pd = pd[:e]
		}
		if c := reContents.FindSubmatch(pd); c != nil {
			for _, r := range reRef.FindAllSubmatch(c[1], -1) {
				obj, _ := strconv.Atoi(string(r[1]))
				pages[obj] = n + 1
			}
		}
	}
	return pages
}

type rect struct{ x, y, w, h float64 }

// filledRects returns the rectangles a content stream fills in a dark
// colour. It follows rg, g and k for the fill colour and re with f, F or f*;
// it ignores transformations (cm), which QR generators rarely use.
func filledRects(s []byte) []rect {
	var (
		nums  []float64
		path  []rect
		out   []rect
		dark  = true
		stack []bool
	)
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
		case c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}':
			i++
			continue
		}
		j := i
		for j < len(s) && !bytes.ContainsRune([]byte(" \n\r\t\f\x00()<>[]{}/%"), rune(s[j])) {
			j++
		}
		if j == i { // a name: skip the slash and the name
			j = i + 1
			for j < len(s) && !bytes.ContainsRune([]byte(" \n\r\t\f\x00()<>[]{}/%"), rune(s[j])) {
				j++
			}
			i = j
			continue
		}
		tok := string(s[i:j])
		i = j
		if v, err := strconv.ParseFloat(tok, 64); err == nil {
			nums = append(nums, v)
			continue
		}
		switch tok {
		case "rg":
			if len(nums) >= 3 {
				n := nums[len(nums)-3:]
				dark = 0.3*n[0]+0.59*n[1]+0.11*n[2] < 0.5
			}
		case "g":
			if len(nums) >= 1 {
				dark = nums[len(nums)-1] < 0.5
			}
		case "k":
			if len(nums) >= 4 {
				n := nums[len(nums)-4:]
				dark = n[3] > 0.5 || (n[0]+n[1]+n[2])/3 > 0.5
			}
		case "q":
			stack = append(stack, dark)
		case "Q":
			if len(stack) > 0 {
				dark, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
		case "re":
			if len(nums) >= 4 {
				n := nums[len(nums)-4:]
				path = append(path, rect{n[0], n[1], n[2], n[3]})
			}
		case "f", "F", "f*":
			if dark {
				out = append(out, path...)
			}
			path = path[:0]
		case "n", "S", "s", "b", "B", "b*", "B*", "W", "W*":
			path = path[:0]
		case "BI": // inline image: skip to EI
			if k := bytes.Index(s[i:], []byte("EI")); k >= 0 {
				i += k + 2
			} else {
				i = len(s)
			}
		}
		nums = nums[:0]
	}
	return out
}

// decodeRects rasterises dark rectangles on an A4-sized canvas and decodes
// the QR codes there.
func decodeRects(rects []rect) []pdfQR {
	// Only rectangles a QR module or run could be, inside the page.
	var keep []rect
	for _, r := range rects {
		x0, x1 := min(r.x, r.x+r.w), max(r.x, r.x+r.w)
		y0, y1 := min(r.y, r.y+r.h), max(r.y, r.y+r.h)
		if x1-x0 > qrMaxRect || y1-y0 > qrMaxRect || x0 < -1 || y0 < -1 || x1 > pdf.A4Width+1 || y1 > pdf.A4Height+1 {
			continue
		}
		keep = append(keep, rect{x0, y0, x1 - x0, y1 - y0})
		if len(keep) == qrMaxRects {
			break
		}
	}
	if len(keep) < qrMinRects {
		return nil
	}
	rects = keep
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, r := range rects {
		minX, minY, maxX, maxY = min(minX, r.x), min(minY, r.y), max(maxX, r.x+r.w), max(maxY, r.y+r.h)
	}
	// A margin for the quiet zone.
	minX, minY, maxX, maxY = minX-20, minY-20, maxX+20, maxY+20
	w, h := int((maxX-minX)*qrScale), int((maxY-minY)*qrScale)
	if w <= 0 || h <= 0 {
		return nil
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	budget := 4 * w * h // painted pixels, so overlapping rectangles stay cheap
	for _, r := range rects {
		x0, x1, y0, y1 := r.x, r.x+r.w, r.y, r.y+r.h
		// PDF y grows upwards; image rows downwards.
		px0, px1 := int(math.Round((x0-minX)*qrScale)), int(math.Round((x1-minX)*qrScale))
		py0, py1 := int(math.Round((maxY-y1)*qrScale)), int(math.Round((maxY-y0)*qrScale))
		if budget -= max(px1-px0, 0) * max(py1-py0, 0); budget < 0 {
			return nil
		}
		for y := max(py0, 0); y < min(py1, h); y++ {
			for x := max(px0, 0); x < min(px1, w); x++ {
				img.SetGray(x, y, color.Gray{0})
			}
		}
	}
	var out []pdfQR
	for _, r := range decodeImage(img) {
		px, py := math.Inf(1), math.Inf(1)
		for _, p := range r.GetResultPoints() {
			px, py = min(px, p.GetX()), min(py, p.GetY())
		}
		x := minX + px/qrScale
		yTop := maxY - py/qrScale // PDF y of the point
		out = append(out, pdfQR{
			X:       math.Round(x/pdf.Mm(1)*10) / 10,
			Y:       math.Round((pdf.A4Height-yTop)/pdf.Mm(1)*10) / 10,
			Payload: r.GetText(),
		})
	}
	return out
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
	hints := map[gozxing.DecodeHintType]interface{}{
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

// decodeImageXObject decodes QR codes in an image XObject: 8-bit grey or
// RGB samples, Flate-compressed or not, or a JPEG (DCTDecode).
func decodeImageXObject(obj int, dict, stream []byte) []pdfQR {
	atoi := func(re *regexp.Regexp) int {
		m := re.FindSubmatch(dict)
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	w, h := atoi(reWidth), atoi(reHeight)
	if w <= 0 || h <= 0 || w > 1<<14 || h > 1<<14 || w*h > 16<<20 {
		return nil
	}
	end := bytes.Index(stream, []byte("endstream"))
	if m := reStreamLen.FindSubmatch(dict); m != nil && m[2] == nil {
		if n, _ := strconv.Atoi(string(m[1])); n > 0 && n <= len(stream) {
			end = n
		}
	}
	if end < 0 {
		return nil
	}
	raw := stream[:end]
	var img image.Image
	switch {
	case bytes.Contains(dict, []byte("/DCTDecode")):
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(raw)); err != nil || cfg.Width*cfg.Height > 16<<20 {
			return nil
		}
		im, err := jpeg.Decode(bytes.NewReader(raw))
		if err != nil {
			return nil
		}
		img = im
	default:
		if atoi(reBPC) != 8 {
			return nil
		}
		samples := raw
		if reFilter.Match(dict) {
			if !bytes.Contains(dict, []byte("/FlateDecode")) {
				return nil
			}
			zr, err := zlib.NewReader(bytes.NewReader(raw))
			if err != nil {
				return nil
			}
			samples, _ = io.ReadAll(io.LimitReader(zr, int64(3*w*h)))
		}
		switch len(samples) {
		case w * h:
			img = &image.Gray{Pix: samples, Stride: w, Rect: image.Rect(0, 0, w, h)}
		case 3 * w * h:
			g := image.NewGray(image.Rect(0, 0, w, h))
			for i := range g.Pix {
				r, gg, b := int(samples[3*i]), int(samples[3*i+1]), int(samples[3*i+2])
				g.Pix[i] = uint8((299*r + 587*gg + 114*b) / 1000)
			}
			img = g
		default:
			return nil
		}
	}
	var out []pdfQR
	for _, r := range decodeImage(img) {
		out = append(out, pdfQR{Object: obj, Payload: r.GetText(), Image: true})
	}
	return out
}
