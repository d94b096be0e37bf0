#!/bin/bash
# gosttoken against OpenSC's pkcs11-tool: the check that it is a real PKCS#11
# module, not one shaped to our own client.  Signatures made through
# pkcs11-tool are verified with openssl and the GOST engine.
#
#   bash test/pkcs11-tool.sh /abs/path/libgosttoken.so
set -u
M=${1:?usage: $0 /path/to/libgosttoken.so}
command -v pkcs11-tool >/dev/null || { echo "pkcs11-tool not found (Debian package opensc)"; exit 1; }
export GOSTTOKEN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gosttoken-p11tool.XXXXXX")
unset GOSTTOKEN_SLOTS GOSTTOKEN_PROTECTED_AUTH GOSTTOKEN_WRAP_PUBKEY
trap 'rm -rf "$GOSTTOKEN_DIR"' EXIT
W=$GOSTTOKEN_DIR/work
mkdir "$W"
SO=87654321 PIN=12345678 fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# p11 ARGS...: run pkcs11-tool on the module, output in $W/out (shown on failure)
p11() {
	pkcs11-tool --module "$M" "$@" >"$W/out" 2>&1 || { echo "pkcs11-tool $*:"; sed 's/^/  /' "$W/out"; return 1; }
}
expect() { grep -qiE -- "$1" "$W/out" || { fail "pkcs11-tool output lacks /$1/:"; sed 's/^/  /' "$W/out"; }; }
gost() { openssl "$1" -engine gost "${@:2}" 2>"$W/openssl.err" || { cat "$W/openssl.err"; return 1; }; }

hex2bin() { printf "$(sed 's/../\\x&/g' <<<"$1")"; }
tlv() { # tag, content hex -> DER hex
	local n=$((${#2} / 2))
	if [ $n -lt 128 ]; then printf '%s%02x%s' "$1" $n "$2"; else printf '%s81%02x%s' "$1" $n "$2"; fi
}
# pubkey ID OUT: the public key with CKA_ID as listed by `pkcs11-tool -O`, as a
# SubjectPublicKeyInfo (FACTS §4.1) in DER; the CKA_VALUE printed is LE(x)||LE(y).
pubkey() {
	p11 -O --type pubkey || return 1
	local pv params value alg hash=
	pv=$(awk -v want="$1" '
		/Object;/ { params = ""; value = ""; inv = 0 }
		/PARAMS OID:/ { params = $3 }
		/VALUE:/ { value = $2; inv = 1; next }
		inv && /^ +[0-9a-f]+$/ { value = value $1; next }
		{ inv = 0 }
		/ID:/ && $2 == want { print params, value }' "$W/out")
	read -r params value <<<"$pv"
	[ -n "$value" ] || { fail "no public key with id $1"; return 1; }
	alg=06082a85030701010101
	[ ${#value} = 256 ] && alg=06082a85030701010102
	case $params in 06072a8503020223* | 06072a8503020224*) hash=06082a85030701010202 ;; esac
	hex2bin "$(tlv 30 "$(tlv 30 "$alg$(tlv 30 "$params$hash")")$(tlv 03 "00$(tlv 04 "$value")")")" >"$2"
}

echo "== module and slot"
p11 -I && expect 'Cryptoki version 2.40' && expect 'podpis test'
p11 -L && expect 'uninitialized'
p11 -M || fail "-M"
for m in 'GOSTR3410-KEY-PAIR-GEN|0x0*1200' 'GOSTR3410-512-KEY-PAIR-GEN|0xd4321005' \
	'GOSTR3410, |0x0*1201' 'GOSTR3410_512|0xd4321006' \
	'GOSTR3410-WITH-GOSTR3411-12-256|0xd4321008' 'GOSTR3410-WITH-GOSTR3411-12-512|0xd4321009' \
	'GOSTR3411-12-256, |0xd4321012' 'GOSTR3411-12-512, |0xd4321013'; do
	expect "$m"
done

echo "== init token and PIN"
p11 --init-token --label p11tool --so-pin $SO || fail "--init-token"
p11 --init-pin --login --login-type so --so-pin $SO --pin $PIN || fail "--init-pin"
p11 -L && expect 'token label *: p11tool' && expect 'token initialized' && expect 'PIN initialized'
pkcs11-tool --module "$M" --login --pin 00000000 -O >"$W/out" 2>&1 && fail "a wrong PIN logged in"
expect 'CKR_PIN_INCORRECT'
p11 -L && expect 'user PIN count low'
p11 --login --pin $PIN -O || fail "login"
p11 -L && grep -q 'count low' "$W/out" && fail "a correct PIN did not reset the counter"

echo "== key generation"
p11 --login --pin $PIN --keypairgen --key-type GOSTR3410-2012-256:B --id 01 --label k256 || fail "keygen 256"
p11 --login --pin $PIN --keypairgen --key-type GOSTR3410-2012-256:A --id 02 --label k256a || fail "keygen 256 A"
p11 --login --pin $PIN --keypairgen --key-type GOSTR3410-2012-512:A --id 03 --label k512 || fail "keygen 512"
p11 --login --pin $PIN -O || fail "-O"
expect 'Private Key Object; GOSTR3410-2012-256'
expect 'Public Key Object; GOSTR3410-2012-512'
expect 'label: *k512'
expect 'sensitive, always sensitive, never extractable'
p11 -O && grep -q 'Private Key' "$W/out" && fail "private keys listed without login"

echo "== signatures, verified by openssl"
printf 'podpis gosttoken pkcs11-tool test\n' >"$W/msg"
gost dgst -md_gost12_256 -binary -out "$W/d256" "$W/msg" || fail "openssl dgst"
gost dgst -md_gost12_512 -binary -out "$W/d512" "$W/msg" || fail "openssl dgst"
for k in 01:256:0x1201:d256 02:256:0x1201:d256 03:512:0xD4321006:d512; do
	IFS=: read -r id bits mech dg <<<"$k"
	before=$fails
	pubkey $id "$W/pub$id.der" || continue
	# raw: the 32/64-byte digest in wire order in, BE(s)||BE(r) out
	p11 --login --pin $PIN --sign -m $mech --id $id -i "$W/$dg" -o "$W/sig" || fail "sign $mech"
	[ "$(stat -c %s "$W/sig")" = $((bits / 4)) ] || fail "signature length"
	gost pkeyutl -verify -pubin -keyform DER -inkey "$W/pub$id.der" -in "$W/$dg" -sigfile "$W/sig" >/dev/null ||
		fail "openssl pkeyutl rejects the $mech signature of key $id"
	gost dgst -md_gost12_$bits -verify <(openssl pkey -engine gost -pubin -inform DER -in "$W/pub$id.der" 2>/dev/null) \
		-signature "$W/sig" "$W/msg" >/dev/null || fail "openssl dgst rejects the $mech signature of key $id"
	# the token hashes
	with=0xD4321008; [ $bits = 512 ] && with=0xD4321009
	p11 --login --pin $PIN --sign -m $with --id $id -i "$W/msg" -o "$W/sig" || fail "sign $with"
	gost dgst -md_gost12_$bits -verify <(openssl pkey -engine gost -pubin -inform DER -in "$W/pub$id.der" 2>/dev/null) \
		-signature "$W/sig" "$W/msg" >/dev/null || fail "openssl rejects the $with signature of key $id"
	[ $fails = "$before" ] && echo "key $id ($bits): $mech and $with signatures verified by openssl"
done

echo "== digests"
p11 --hash -m 0xD4321012 -i "$W/msg" -o "$W/h" && cmp -s "$W/h" "$W/d256" || fail "C_Digest Streebog-256 differs from openssl"
p11 --hash -m 0xD4321013 -i "$W/msg" -o "$W/h" && cmp -s "$W/h" "$W/d512" || fail "C_Digest Streebog-512 differs from openssl"

echo "== certificate import"
gost req -x509 -newkey gost2012_256 -pkeyopt paramset:A -subj /CN=gosttoken-p11tool -nodes \
	-keyout "$W/ca.key" -outform DER -out "$W/cert.der" -days 1 || fail "openssl req"
p11 --login --pin $PIN --write-object "$W/cert.der" --type cert --id 01 --label k256 || fail "--write-object cert"
p11 -O --type cert && expect 'Certificate Object; type = X.509 cert' && expect 'subject: *DN: CN=gosttoken-p11tool'
p11 --read-object --type cert --id 01 -o "$W/back.der" && cmp -s "$W/back.der" "$W/cert.der" || fail "certificate read back differs"
p11 --delete-object --type cert --id 01 --login --pin $PIN || fail "--delete-object"
p11 -O --type cert && grep -q 'Certificate Object' "$W/out" && fail "certificate not deleted"

echo "== PIN pad (GOSTTOKEN_PROTECTED_AUTH=1): login without a PIN"
GOSTTOKEN_PROTECTED_AUTH=1 p11 -L && expect 'PIN pad present'
GOSTTOKEN_PROTECTED_AUTH=1 p11 --login -O --type privkey </dev/null && expect 'Private Key Object'

echo "== removal"
touch "$GOSTTOKEN_DIR/slot0/removed"
pkcs11-tool --module "$M" -L >"$W/out" 2>&1
expect '\(empty\)|token not present|no token'
pkcs11-tool --module "$M" -O >"$W/out" 2>&1 && fail "-O worked on a removed token"
rm "$GOSTTOKEN_DIR/slot0/removed"
p11 -L && expect 'token label *: p11tool'

echo "== pkcs11-tool --test"
p11 --test --login --pin $PIN && expect 'No errors'

if [ $fails -ne 0 ]; then
	echo "pkcs11-tool test: $fails failure(s)"
	exit 1
fi
echo "pkcs11-tool test: all passed"
