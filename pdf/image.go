package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// ErrImageFormat is returned for image data that is neither PNG nor JPEG.
var ErrImageFormat = errors.New("pdf: image is not PNG or JPEG")

// Image is a raster image ready to be placed on pages (ISO 32000-1 §8.9).
// Baseline JPEGs in grey or YCbCr are embedded as they are (DCTDecode);
// anything else is decoded and stored as 8-bit DeviceRGB or DeviceGray with
// Flate. Transparency is flattened onto white, so the output needs no
// soft mask. /Interpolate is never set (ISO 19005-2 §6.2.8).
type Image struct {
	Width, Height int // pixels

	dict string // stream dictionary entries other than /Length and /Filter
	data []byte // stream data, already encoded
	dct  bool   // data is a JPEG (DCTDecode); otherwise Flate on write
}

// ParseImage reads a PNG or JPEG image.
func ParseImage(b []byte) (*Image, error) {
	im, err := parseImage(b)
	if err == nil && (im.Width <= 0 || im.Height <= 0) {
		err = fmt.Errorf("pdf: image has no pixels")
	}
	if err != nil {
		return nil, err
	}
	return im, nil
}

func parseImage(b []byte) (*Image, error) {
	switch {
	case bytes.HasPrefix(b, []byte("\xFF\xD8\xFF")):
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("pdf: JPEG: %w", err)
		}
		cs := ""
		switch cfg.ColorModel {
		case color.GrayModel:
			cs = "/DeviceGray"
		case color.YCbCrModel:
			cs = "/DeviceRGB"
		}
		if cs != "" {
			return &Image{Width: cfg.Width, Height: cfg.Height, dct: true, data: b,
				dict: fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8", cfg.Width, cfg.Height, cs)}, nil
		}
		// CMYK JPEGs need a CMYK output intent; convert them to RGB instead.
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("pdf: JPEG: %w", err)
		}
		return rasterImage(img), nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("pdf: PNG: %w", err)
		}
		return rasterImage(img), nil
	}
	return nil, ErrImageFormat
}

// rasterImage stores img as 8-bit grey (if it has no colour) or RGB,
// compositing any alpha over white.
func rasterImage(img image.Image) *Image {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	gray := true
	rgb := make([]byte, 0, 3*w*h)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			// Premultiplied: add white for the missing coverage.
			white := 0xFFFF - ca
			pr, pg, pb := byte((cr+white)>>8), byte((cg+white)>>8), byte((cb+white)>>8)
			gray = gray && pr == pg && pg == pb
			rgb = append(rgb, pr, pg, pb)
		}
	}
	cs := "/DeviceRGB"
	if gray {
		for i := range w * h {
			rgb[i] = rgb[3*i]
		}
		rgb = rgb[:w*h]
		cs = "/DeviceGray"
	}
	return &Image{Width: w, Height: h, data: rgb,
		dict: fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8", w, h, cs)}
}

// object returns the image XObject as object n.
func (im *Image) object(n int) Object {
	if im.dct {
		return streamObj(n, im.dict+" /Filter /DCTDecode", im.data, false)
	}
	return streamObj(n, im.dict, im.data, true)
}

// imageName returns the resource name of im, registering it with the
// document on first use.
func (d *Document) imageName(im *Image) string {
	for i, x := range d.images {
		if x == im {
			return fmt.Sprintf("Im%d", i+1)
		}
	}
	d.images = append(d.images, im)
	return fmt.Sprintf("Im%d", len(d.images))
}

// Image draws im scaled to w × h points with its top-left corner at (x, y).
func (p *Page) Image(im *Image, x, y, w, h float64) {
	fmt.Fprintf(p, "q %s 0 0 %s %s %s cm /%s Do Q\n", num(w), num(h), num(x), num(A4Height-y-h), p.doc.imageName(im))
}

// Image adds im w points wide (height from its aspect ratio) at the flow
// cursor; w = 0 means its size at 150 dpi, capped at the content width.
func (d *Document) Image(im *Image, w float64, align Align) {
	if w <= 0 {
		w = min(float64(im.Width)*72/150, d.ContentWidth())
	}
	h := w * float64(im.Height) / float64(im.Width)
	d.ensure(h)
	x := d.opts.Margin
	switch align {
	case Center:
		x += (d.ContentWidth() - w) / 2
	case Right:
		x += d.ContentWidth() - w
	}
	d.Page().Image(im, x, d.y, w, h)
	d.y += h
}
