// Package fonts embeds the DejaVu Sans fonts the PDF writer uses (Bitstream
// Vera derived licence, see LICENSE-DejaVu beside this file).
package fonts

import _ "embed"

// Regular is DejaVuSans.ttf from Debian fonts-dejavu-core.
//
//go:embed DejaVuSans.ttf
var Regular []byte

// Bold is DejaVuSans-Bold.ttf from Debian fonts-dejavu-core.
//
//go:embed DejaVuSans-Bold.ttf
var Bold []byte
