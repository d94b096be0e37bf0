package pkcs11

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func uintp(n uint) *uint { return &n }

// TestParseURI: RFC 7512 URIs, examples of §3.3 included.
func TestParseURI(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want URI
	}{
		{"pkcs11:", URI{}},
		{"PKCS11:token=t1", URI{Token: "t1"}},
		{"pkcs11:object=my-pubkey;type=public", URI{Object: "my-pubkey", Type: "public"}},
		{"pkcs11:object=my-key;type=private?pin-source=file:/etc/token", URI{Object: "my-key", Type: "private", PINSource: "file:/etc/token"}},
		// RFC 7512 §3.3: percent-encoded label and id bytes.
		{"pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=",
			URI{Token: "The Software PKCS#11 Softtoken", Manufacturer: "Snake Oil, Inc.", Model: "1.0", Object: "my-certificate", Type: "cert",
				ID: []byte{0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91}}},
		{"pkcs11:token=Rutoken%20ECP;slot-id=3;id=%01%02?module-name=rtpkcs11ecp",
			URI{Token: "Rutoken ECP", SlotID: uintp(3), ID: []byte{1, 2}, ModuleName: "rtpkcs11ecp"}},
		{"pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token;library-version=1.23",
			URI{LibraryManufacturer: "Snake Oil, Inc.", LibraryDescription: "Soft Token", LibraryVersion: "1.23"}},
		{"pkcs11:slot-description=Reader%200;slot-manufacturer=ACME", URI{SlotDescription: "Reader 0", SlotManufacturer: "ACME"}},
		// Cyrillic labels arrive percent-encoded UTF-8, or raw.
		{"pkcs11:token=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2;object=ключ", URI{Token: "Иванов", Object: "ключ"}},
		// "+" is a plus, not a space; "=" may appear in a value.
		{"pkcs11:object=a+b=c", URI{Object: "a+b=c"}},
		// Literal id characters are their bytes.
		{"pkcs11:id=AB%00", URI{ID: []byte{'A', 'B', 0}}},
		{"pkcs11:id=", URI{ID: []byte{}}},
		// Query: paths with slashes; unknown attributes ignored.
		{"pkcs11:?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:PODPIS_PIN&x-vendor=1&foo=bar",
			URI{ModulePath: "/usr/lib/softhsm/libsofthsm2.so", PINSource: "env:PODPIS_PIN"}},
	} {
		got, err := ParseURI(tc.in)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("ParseURI(%q) = %+v, want %+v", tc.in, *got, tc.want)
		}
		// String gives a URI that parses back to the same value.
		again, err := ParseURI(got.String())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("round trip of %q through %q: %+v, %v", tc.in, got.String(), again, err)
		}
	}
}

func TestParseURIErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"token=t1", "not a PKCS#11 URI"},
		{"pkcs12:token=t1", "not a PKCS#11 URI"},
		{"pkcs11:token=a;token=b", `"token" appears twice`},
		{"pkcs11:id=%01;id=%02", `"id" appears twice`},
		{"pkcs11:?module-name=a&module-name=b", `"module-name" appears twice`},
		{"pkcs11:tokn=t1", `attribute "tokn" is unknown`},
		{"pkcs11:x-vendor=1", `attribute "x-vendor" is unknown`},
		{"pkcs11:token", "is not name=value"},
		{"pkcs11:=x", "is not name=value"},
		{"pkcs11:id=%0", "bad percent-escape"},
		{"pkcs11:id=%zz", "bad percent-escape"},
		{"pkcs11:object=a%", "bad percent-escape"},
		{"pkcs11:slot-id=-1", "slot-id"},
		{"pkcs11:slot-id=0x10", "slot-id"},
		{"pkcs11:library-version=1.x", "library-version"},
		{"pkcs11:type=key", "type"},
		{"pkcs11:token=t#frag", "fragment"},
		{"pkcs11:?pin-source=%7C/usr/bin/get-pin", "does not run programs"},
		{"pkcs11:?pin-source=", "pin-source is empty"},
	} {
		_, err := ParseURI(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseURI(%q): %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}

// TestURIPINValue: a PIN in the URI is refused, with the reason and the
// ways a PIN may be given.
func TestURIPINValue(t *testing.T) {
	for _, in := range []string{
		"pkcs11:token=t1?pin-value=12345678",
		"pkcs11:token=t1?module-name=softhsm2&pin-value=1234",
		"pkcs11:token=t1?pin-value=",
	} {
		_, err := ParseURI(in)
		if !errors.Is(err, ErrPINInURI) {
			t.Fatalf("ParseURI(%q): %v, want ErrPINInURI", in, err)
		}
		msg := err.Error()
		for _, want := range []string{"never", "shell history", "pin-source", "--pin-file", "PODPIS_PIN", "prompt"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %q lacks %q", msg, want)
			}
		}
		if strings.Contains(msg, "12345678") || strings.Contains(msg, "1234") {
			t.Errorf("the message repeats the PIN: %q", msg)
		}
	}
}

func TestURIString(t *testing.T) {
	u := &URI{Token: "Иванов И.И.", Object: "a;b/c?d", ID: []byte{0xab, 1}, SlotID: uintp(0), Type: "private",
		ModulePath: "/opt/lib/x.so", PINSource: "file:/run/pin&1"}
	want := "pkcs11:slot-id=0;token=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%20%D0%98.%D0%98.;object=a%3Bb%2Fc%3Fd;type=private;id=%AB%01" +
		"?module-path=/opt/lib/x.so&pin-source=file:/run/pin%261"
	if got := u.String(); got != want {
		t.Errorf("String() = %s\nwant       %s", got, want)
	}
}
