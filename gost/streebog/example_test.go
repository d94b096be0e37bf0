package streebog_test

import (
	"fmt"

	"github.com/podpis/podpis/gost/streebog"
)

func ExampleSum256() {
	sum := streebog.Sum256([]byte("The quick brown fox jumps over the lazy dog"))
	fmt.Printf("%x\n", sum)
	// Output: 3e7dea7f2384b6c5a3d0e24aaa29c05e89ddd762145030ec22c71a6db8b2c1f4
}

func ExampleNew512() {
	h := streebog.New512()
	h.Write([]byte("The quick brown fox "))
	h.Write([]byte("jumps over the lazy dog"))
	fmt.Printf("%x\n", h.Sum(nil))
	// Output: d2b793a0bb6cb5904828b5b6dcfb443bb8f33efc06ad09368878ae4cdc8245b97e60802469bed1e7c21a64ff0b179a6a1e0bb74d92965450a0adab69162c00fe
}
