package main

import (
	"testing"

	"github.com/podpis/podpis/pki"
	"github.com/podpis/podpis/pki/devpki"
)

func tokendRoots(t *testing.T) *pki.CertPool {
	p, err := devpki.New(devpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pool := pki.NewCertPool()
	pool.AddCert(p.CA.Cert)
	return pool
}
