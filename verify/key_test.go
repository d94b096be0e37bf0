package verify

import (
	"crypto/rand"

	"github.com/podpis/podpis/gost/gost3410"
)

type gostKey = gost3410.PrivateKey

func newKey() (*gostKey, error) { return gost3410.GenerateKey(gost3410.TC26256A, rand.Reader) }
