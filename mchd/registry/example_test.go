package registry_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/podpis/podpis/mchd/registry"
)

// A check recorded in the journal, and the journal verified.
func ExampleRegistry_VerifyJournal() {
	dir, _ := os.MkdirTemp("", "registry-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	r, err := registry.Open(ctx, filepath.Join(dir, "mchd.db"))
	if err != nil {
		panic(err)
	}
	defer r.Close()
	ctx = registry.WithActor(ctx, "operator")
	if _, err := r.Log(ctx, registry.OpCheck, "5f7737eb-d23c-498f-826f-1dcae0eaee34", "invalid: MCHD_REVOKED", ""); err != nil {
		panic(err)
	}
	rep, err := r.VerifyJournal(ctx)
	if err != nil {
		panic(err)
	}
	entries, _ := r.Journal(ctx, "", 0, 0)
	e := entries[0]
	fmt.Println(rep.OK, rep.Entries, e.Op, e.Actor, e.Result, e.Hash == rep.Head)
	// Output: true 1 check operator invalid: MCHD_REVOKED true
}
