package registry

import (
	"context"
	"testing"
)

// BenchmarkCreateGet stores a draft POA and reads it back, per backend.
// The documents are built beforehand; Create includes mchd.Check.
func BenchmarkCreateGet(b *testing.B) {
	p := thePKI(b)
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			r := open(b, be.dsn(b))
			ctx := context.Background()
			docs := make([][]byte, b.N)
			for i := range docs {
				_, docs[i] = newPOA(b, p)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rec, err := r.Create(ctx, docs[i])
				if err != nil {
					b.Fatal(err)
				}
				if _, err := r.Get(ctx, rec.GUID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJournalAppend appends a check entry (Log), per backend.
func BenchmarkJournalAppend(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			r := open(b, be.dsn(b))
			ctx := WithActor(context.Background(), "bench")
			for b.Loop() {
				if _, err := r.Log(ctx, OpCheck, "5f7737eb-d23c-498f-826f-1dcae0eaee34", "valid", ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
