//go:build cgo

package pkcs11

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/podpis/podpis/gost/gost3410"
	"github.com/podpis/podpis/internal/cgobench"
)

// BenchmarkTokenSign signs 1 KiB messages with a tc26-256-A key on
// gosttoken, hashing on the host (Streebog-256, then CKM_GOSTR3410):
//
//   - host-hash: Key.Sign as callers use it — a pool session, C_SignInit,
//     C_Sign; only the key's first signature is checked against its public
//     key (Options.VerifyEach is off), so the loop signs and nothing else;
//   - parallel: the same from GOMAXPROCS goroutines over a pool of 2
//     sessions;
//   - direct: the token's own cost — Streebog-256 and C_SignInit + C_Sign
//     in a loop on one session through miekg/pkcs11, nothing else;
//   - direct-verified: direct plus a gost3410.Verify of every signature
//     (what Options.VerifyEach costs);
//   - direct-parallel: direct-verified from GOMAXPROCS goroutines, one
//     session each;
//   - ceiling-…: internal/cgobench's C loop, calibrated to last as long as
//     one direct signature, from one and GOMAXPROCS goroutines (cgo-1,
//     cgo-parallel) and from one and GOMAXPROCS C threads (pthread-1,
//     pthread-parallel): how far any C call of the token's length scales
//     through cgo on this machine, and how far it scales without Go.
//
// The library's overhead (pool, login check, options, error paths) is
// host-hash − direct (issue 5: ≤ 10 % of direct); two sessions scale by
// host-hash ÷ parallel (≥ 1.6× on 2 cores), to be read beside
// cgo-1 ÷ cgo-parallel. make bench derives them.
func BenchmarkTokenSign(b *testing.B) {
	g := newGostToken(b, 1)
	ctx := context.Background()
	k, err := GenerateKey(ctx, g.uri("token=g0;object=bench"), gost3410.TC26256A, Options{PIN: staticPIN(testPIN), Sessions: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	msg := make([]byte, 1024)
	pub := k.Public().(*gost3410.PublicKey)
	opts := gost3410.SignerOpts{Hash: gost3410.Streebog256}
	sign := func() []byte {
		h := gost3410.Streebog256.New()
		h.Write(msg)
		sig, err := k.Sign(nil, h.Sum(nil), opts)
		if err != nil {
			b.Fatal(err)
		}
		return sig
	}

	b.Run("host-hash", func(b *testing.B) {
		b.SetBytes(int64(len(msg)))
		b.ReportAllocs()
		for b.Loop() {
			sign()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetBytes(int64(len(msg)))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				sign()
			}
		})
	})
	direct := func(verify bool) func(b *testing.B) {
		return func(b *testing.B) {
			c := k.tok.mod.ctx
			s, err := c.OpenSession(k.tok.slot, pkcs11.CKF_SERIAL_SESSION)
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseSession(s)
			mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_GOSTR3410, nil)}
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				h := gost3410.Streebog256.New()
				h.Write(msg)
				digest := h.Sum(nil)
				if err := c.SignInit(s, mech, k.priv); err != nil {
					b.Fatal(err)
				}
				sig, err := c.Sign(s, digest)
				if err != nil {
					b.Fatal(err)
				}
				if verify && !gost3410.Verify(pub, digest, sig) {
					b.Fatal("bad signature")
				}
			}
		}
	}
	b.Run("direct", direct(false))
	b.Run("direct-verified", direct(true))
	// direct-parallel is direct-verified from GOMAXPROCS goroutines, each on
	// a session of its own: how far the token itself scales.
	b.Run("direct-parallel", func(b *testing.B) {
		c := k.tok.mod.ctx
		mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_GOSTR3410, nil)}
		b.SetBytes(int64(len(msg)))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			s, err := c.OpenSession(k.tok.slot, pkcs11.CKF_SERIAL_SESSION)
			if err != nil {
				b.Error(err)
				return
			}
			defer c.CloseSession(s)
			for pb.Next() {
				h := gost3410.Streebog256.New()
				h.Write(msg)
				digest := h.Sum(nil)
				err := c.SignInit(s, mech, k.priv)
				var sig []byte
				if err == nil {
					sig, err = c.Sign(s, digest)
				}
				if err != nil || !gost3410.Verify(pub, digest, sig) {
					b.Errorf("direct signature: %v", err)
					return
				}
			}
		})
	})
	cgobench.Run(b, "ceiling-", func(b *testing.B) uint64 { return cgobench.Iterations(directTime(b, k)) })
}

// directTime is the median time of 51 direct signatures (Streebog-256 of
// 1 KiB, C_SignInit, C_Sign) on a session of their own.
func directTime(b *testing.B, k *Key) time.Duration {
	c := k.tok.mod.ctx
	s, err := c.OpenSession(k.tok.slot, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseSession(s)
	mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_GOSTR3410, nil)}
	msg := make([]byte, 1024)
	times := make([]time.Duration, 51)
	for i := range times {
		start := time.Now()
		h := gost3410.Streebog256.New()
		h.Write(msg)
		if err := c.SignInit(s, mech, k.priv); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Sign(s, h.Sum(nil)); err != nil {
			b.Fatal(err)
		}
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	return times[len(times)/2]
}
