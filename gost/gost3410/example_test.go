package gost3410_test

import (
	"fmt"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/gost/streebog"
)

func Example() {
	key, err := gost3410.GenerateKey(gost3410.TC26256A, nil)
	if err != nil {
		panic(err)
	}
	document := []byte("Доверенность № 1")
	digest := streebog.Sum256(document)
	sig, err := key.Sign(nil, digest[:], gost3410.SignerOpts{Hash: gost3410.Streebog256})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(sig), gost3410.Verify(key.PublicKey(), digest[:], sig))
	// Output: 64 true
}
