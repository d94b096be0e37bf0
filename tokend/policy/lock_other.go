//go:build !unix

package policy

import "os"

// lockFile: no advisory lock off Unix yet (tokend is Linux first, ANCHORS
// §2 "OS"); the atomic write still keeps the file whole.
func lockFile(string) (func(), error) { return func() {}, nil }

// checkOwner: file ownership is not checked off Unix yet.
func checkOwner(*os.File, string) error { return nil }
