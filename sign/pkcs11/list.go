//go:build cgo

package pkcs11

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
)

// ListTokens lists the slots of the module at modulePath, or of every
// module found as Open finds them ($PODPIS_PKCS11_MODULE, else the
// well-known list) when modulePath is "", with their tokens and the key
// pairs visible without login. It never logs in and never asks for a PIN.
func ListTokens(ctx context.Context, modulePath string) ([]TokenInfo, error) {
	paths, err := modulePaths(&URI{}, Options{Module: modulePath})
	if err != nil {
		return nil, err
	}
	var out []TokenInfo
	for _, p := range paths {
		m, err := openModule(p)
		if err != nil {
			if len(paths) == 1 {
				return nil, err
			}
			continue
		}
		infos, err := m.list(ctx)
		m.release()
		if err != nil {
			return nil, err
		}
		out = append(out, infos...)
	}
	return out, nil
}

func (m *module) list(ctx context.Context) ([]TokenInfo, error) {
	slots, err := m.ctx.GetSlotList(false)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: module %s: %w", m.path, callErr("C_GetSlotList", err))
	}
	var out []TokenInfo
	for _, slot := range slots {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ti := TokenInfo{Module: m.path, SlotID: slot}
		sinf, err := m.ctx.GetSlotInfo(slot)
		if err != nil {
			continue
		}
		ti.SlotDescription = trimPad(sinf.SlotDescription)
		if sinf.Flags&pkcs11.CKF_TOKEN_PRESENT == 0 {
			out = append(out, ti)
			continue
		}
		t, err := m.acquireToken(slot, 1)
		if err != nil {
			ti.Problem = err.Error()
			out = append(out, ti)
			continue
		}
		t.describe(ctx, &ti)
		t.release()
		out = append(out, ti)
	}
	return out, nil
}

// describe fills ti from the token.
func (t *token) describe(ctx context.Context, ti *TokenInfo) {
	info := t.info
	if fresh, err := t.mod.ctx.GetTokenInfo(t.slot); err == nil {
		info.Flags = fresh.Flags // the PIN counters change
	}
	ti.Present = true
	ti.Label, ti.Serial, ti.Model, ti.Manufacturer = info.Label, info.SerialNumber, info.Model, info.ManufacturerID
	ti.Flags = tokenFlags(info.Flags)
	f := info.Flags
	ti.LoginRequired = f&pkcs11.CKF_LOGIN_REQUIRED != 0
	ti.PINPad = f&pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH != 0
	ti.PINCountLow = f&pkcs11.CKF_USER_PIN_COUNT_LOW != 0
	ti.PINFinalTry = f&pkcs11.CKF_USER_PIN_FINAL_TRY != 0
	ti.PINLocked = f&pkcs11.CKF_USER_PIN_LOCKED != 0
	ti.GOST = t.gostSupport()
	ti.URI = (&URI{Token: info.Label, Serial: info.SerialNumber}).String()
	objs, err := t.objects(ctx)
	if err != nil {
		ti.Problem = err.Error()
		return
	}
	for _, p := range objs.pairs {
		ki := KeyInfo{Label: p.label(), ID: p.id(), PrivateKey: p.priv != nil, URI: t.keyURI(p).String()}
		if p.public != nil {
			ki.Algorithm = describeKey(p.public)
		}
		if p.cert != nil {
			c := p.cert.cert
			ki.Certificate, ki.Subject, ki.NotBefore, ki.NotAfter = c, c.SubjectName.String(), c.NotBefore, c.NotAfter
		}
		ti.Keys = append(ti.Keys, ki)
	}
}

// tokenFlags puts the noteworthy token flags in words (PKCS#11 v2.40
// §5.7.3, CK_TOKEN_INFO).
func tokenFlags(f uint) []string {
	var words []string
	add := func(flag uint, set bool, w string) {
		if (f&flag != 0) == set {
			words = append(words, w)
		}
	}
	add(pkcs11.CKF_TOKEN_INITIALIZED, false, "not initialised")
	add(pkcs11.CKF_LOGIN_REQUIRED, true, "login required")
	add(pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH, true, "PIN pad")
	add(pkcs11.CKF_USER_PIN_INITIALIZED, false, "user PIN not set")
	if s := pinStatus(f&pkcs11.CKF_USER_PIN_COUNT_LOW != 0, f&pkcs11.CKF_USER_PIN_FINAL_TRY != 0, f&pkcs11.CKF_USER_PIN_LOCKED != 0); s != "" {
		words = append(words, "PIN: "+s)
	}
	add(pkcs11.CKF_USER_PIN_TO_BE_CHANGED, true, "PIN must be changed")
	switch {
	case f&pkcs11.CKF_SO_PIN_LOCKED != 0:
		words = append(words, "SO PIN locked")
	case f&pkcs11.CKF_SO_PIN_FINAL_TRY != 0:
		words = append(words, "SO PIN: 1 attempt left")
	}
	add(pkcs11.CKF_WRITE_PROTECTED, true, "write-protected")
	return words
}

// gostSupport lists the GOST R 34.10-2012 signing mechanisms of the token.
func (t *token) gostSupport() []string {
	var out []string
	for _, m := range []struct {
		mech uint
		word string
	}{
		{pkcs11.CKM_GOSTR3410, "256"},
		{ckmGOSTR3410_512, "512"},
		{ckmGOSTR3410With3411_12_256, "256 with on-token hashing"},
		{ckmGOSTR3410With3411_12_512, "512 with on-token hashing"},
		{pkcs11.CKM_GOSTR3410_KEY_PAIR_GEN, "256 key generation"},
		{ckmGOSTR3410_512KeyPairGen, "512 key generation"},
	} {
		if t.has(m.mech) {
			out = append(out, m.word)
		}
	}
	return out
}

// KeepLoaded loads and initialises the module at modulePath (every module
// ListTokens would find when it is "") and keeps it loaded until release is
// called. Meanwhile ListTokens, Open, Certificates and GenerateKey share it
// instead of calling C_Initialize and C_Finalize each time, which for a
// daemon that lists tokens before every operation (tokend) is most of a
// listing's cost. Tokens plugged in or pulled out meanwhile are seen, as
// C_GetSlotList and C_GetSlotInfo report them (PKCS#11 v2.40 §5.5); a
// module that only finds new readers at C_Initialize needs release and a
// new KeepLoaded to see them. release may be called more than once.
func KeepLoaded(modulePath string) (release func(), err error) {
	paths, err := modulePaths(&URI{}, Options{Module: modulePath})
	if err != nil {
		return nil, err
	}
	var held []*module
	for _, p := range paths {
		m, err := openModule(p)
		if err != nil {
			if len(paths) == 1 {
				return nil, err
			}
			continue
		}
		held = append(held, m)
	}
	if len(held) == 0 {
		return nil, condErrorf(ErrModuleNotFound, "no PKCS#11 module could be loaded (tried: %s)", strings.Join(paths, ", "))
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			for _, m := range held {
				m.release()
			}
		})
	}, nil
}
