// Package icc embeds the sRGB ICC profile used as the PDF/A output intent
// (zlib licence, see LICENSE beside this file).
package icc

import _ "embed"

// SRGB is sRGB.icc (ICC v2, 3 components) from Debian icc-profiles-free.
//
//go:embed sRGB.icc
var SRGB []byte
