package streebog

import (
	"bytes"
	"encoding"
	"testing"
)

// FuzzStreebog checks that hashing data in pieces, at any split point and
// through a marshal/unmarshal round trip, gives the one-shot result.
func FuzzStreebog(f *testing.F) {
	f.Add([]byte(""), uint16(0))
	f.Add([]byte("The quick brown fox jumps over the lazy dog"), uint16(7))
	f.Add(bytes.Repeat([]byte{0xff}, 130), uint16(64))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		for _, vr := range variants {
			want := vr.sum(data)
			i := int(split) % (len(data) + 1)

			h := vr.new()
			h.Write(data[:i])
			state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			h.Write(data[i:])
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%s: split at %d = %x, one-shot %x", vr.name, i, got, want)
			}

			h2 := vr.new()
			if err := h2.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
				t.Fatal(err)
			}
			for j := i; j < len(data); j += 1 + j%5 {
				h2.Write(data[j:min(len(data), j+1+j%5)])
			}
			if got := h2.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%s: resumed at %d = %x, one-shot %x", vr.name, i, got, want)
			}
		}
	})
}

// FuzzUnmarshalBinary feeds arbitrary states to UnmarshalBinary: it must
// return an error or a usable state, never panic.
func FuzzUnmarshalBinary(f *testing.F) {
	for _, vr := range variants {
		h := vr.new()
		h.Write([]byte("seed"))
		state, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
		f.Add(state)
	}
	f.Add([]byte("streebog256\x01"))
	f.Fuzz(func(t *testing.T, state []byte) {
		for _, vr := range variants {
			h := vr.new()
			if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
				continue
			}
			again, err := h.(encoding.BinaryMarshaler).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			h2 := vr.new()
			if err := h2.(encoding.BinaryUnmarshaler).UnmarshalBinary(again); err != nil {
				t.Fatalf("%s: a marshalled state does not unmarshal: %v", vr.name, err)
			}
			h.Write(state)
			h2.Write(state)
			if !bytes.Equal(h.Sum(nil), h2.Sum(nil)) {
				t.Fatalf("%s: states differ after a marshal round trip", vr.name)
			}
		}
	})
}
