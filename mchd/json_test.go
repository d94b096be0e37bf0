package mchd

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The model has English field names and no JSON tags, so encoding/json maps
// it as is; a JSON (or YAML) input for people can decode straight into it.
func TestJSONRoundTrip(t *testing.T) {
	for _, kind := range []string{PrincipalRussianEntity, PrincipalForeignEntity, PrincipalEntrepreneur, PrincipalPerson} {
		d := build(t, kind)
		want, err := Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Document
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(&back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("kind %s: JSON round trip changed the XML", kind)
		}
	}
}
