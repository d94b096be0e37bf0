// Package registry keeps machine-readable powers of attorney (МЧД, EMCHD_1)
// and an audit journal of what was done with them, in SQLite (embedded, the
// default: modernc.org/sqlite, no cgo) or PostgreSQL (github.com/jackc/pgx/v5,
// for several machines sharing one registry).
//
// It is the local counterpart of the FNS registry described in
// shared/spec/mchd/FORMAT.md §10: a POA is created as a draft, signed with a
// detached CMS signature (§8), or imported as "XML plus its detached
// signature" the way the FNS platform and operators such as Diadoc accept it;
// the principal revokes it with a signed revocation request, and "retrusts
// based on it end with it". FORMAT.md §10 found no published format for the
// FNS revocation request, so the statement the principal signs here is
// podpis's own small canonical text (RevocationStatement); it is not
// something the FNS platform accepts.
//
// # Contract
//
// Bytes are stored verbatim. The XML and the signatures (of the POA and of
// its revocation) are kept exactly as given and returned exactly as stored;
// nothing is re-serialised, because a signature covers the file's bytes
// (FORMAT.md §8.1). The XML's Streebog-256 hash is stored beside it and
// checked on every read, so a damaged or edited document is reported, not
// returned.
//
// A signature is accepted only over the bytes it is meant to cover: cms.Verify
// must find every signer's signature valid and the content digest equal to
// that of the stored XML (AttachSignature, Import) or of the revocation
// statement (Revoke). A revocation must also be signed by a certificate that
// carries the principal's ИНН (ИНН ЮЛ for an organisation, the personal ИНН
// for a person or ИП). Whether that certificate is qualified, trusted,
// unexpired or unrevoked is not checked here — that is package verify's job
// with a trust store; the registry records which certificate signed.
//
// Every change is one transaction holding the registry's write lock (BEGIN
// IMMEDIATE in SQLite, an advisory lock in PostgreSQL), and its journal entry
// is written in the same transaction: a change is either stored with its
// entry or not at all, and a process killed mid-write leaves the previous
// state (SQLite in WAL mode with synchronous=FULL; PostgreSQL's own
// durability). Writers from several goroutines or processes wait for each
// other (SQLite busy_timeout of 60 s) instead of failing. Bad input — a
// malformed document, a BOM, XSD or rule errors (mchd.Check), a duplicate
// GUID, an unknown or revoked POA, a signature over other bytes — gives an
// error wrapping one of the Err… values and changes nothing.
//
// # The journal
//
// Every operation (create, sign, render, check, revoke, import) appends an
// Entry: time, actor (the signing certificate, or the OS user, or what
// WithActor names), operation, GUID, result. Each entry holds the
// Streebog-256 hash (GOST R 34.11-2012, package gost/streebog) of the
// previous entry's canonical bytes (Entry.Canonical), and a head record
// holds the last entry's number and hash. VerifyJournal recomputes the chain
// and reports the first entry that does not fit.
//
// What the chain proves: an entry edited in place, an entry deleted from the
// middle, or entries cut from the end (against the head record) show. What
// it does not prove: the chain is not signed and has no secret, so someone
// who can write to the database can rewrite an entry and every hash after it
// and the head record, and the result verifies. To detect that, keep the head
// hash that VerifyJournal reports somewhere else (print it, sign it, send it
// to another system) and compare later. The journal also records only what
// went through this package; a change made with SQL directly has no entry.
// VerifyRecords holds the records against the journal and their own hashes:
// a stored document that no longer matches its stored hash, a signature that
// no longer verifies over the stored bytes, a record deleted or added without
// its entry, a status (signed, revoked) that the journal does not record.
// Someone who edits both consistently, and rewrites the chain, is seen only
// against a head hash kept elsewhere.
package registry
