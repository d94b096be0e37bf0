#!/bin/sh
# The podpis demo: hash a document, make a GOST key, sign and verify the
# document, and let OpenSSL's GOST engine check our signature — and ours check
# OpenSSL's; then a test PKI, CAdES signatures, and a key on the GOST test
# token used through a pkcs11: URI; then a power of attorney (МЧД) issued from
# examples/mchd/poa.yaml, signed on the token, kept in the embedded registry,
# printed as a PDF/A-2b form, checked (QR code read back from the PDF) and
# revoked. Run it with `make demo`; it writes into demo-out/.
set -eu
PODPIS=${1:-bin/podpis}
MODULE=${2:-build/gosttoken/libgosttoken.so}
OUT=demo-out
rm -rf "$OUT"
mkdir -p "$OUT"
OSSL_CONF="$OUT/openssl-gost.cnf"
cat > "$OSSL_CONF" <<'CNF'
openssl_conf = conf
[conf]
engines = engines
[engines]
gost = gost_section
[gost_section]
engine_id = gost
default_algorithms = ALL
CNF
ossl() { OPENSSL_CONF="$OSSL_CONF" openssl "$@"; }
step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

printf 'Доверенность на подписание отчётности\n' > "$OUT/document.txt"

step "Streebog hashes (GOST R 34.11-2012), ours and OpenSSL's"
run "$PODPIS" hash "$OUT/document.txt"
run "$PODPIS" hash --alg streebog512 "$OUT/document.txt"
printf '$ openssl dgst -md_gost12_256 %s\n' "$OUT/document.txt"
ossl dgst -md_gost12_256 "$OUT/document.txt"

step "A GOST R 34.10-2012 key on tc26-256-A, and its public key"
run "$PODPIS" keygen --curve 256-a --out "$OUT/key.pem"
printf '$ %s pubkey --key %s > %s\n' "$PODPIS" "$OUT/key.pem" "$OUT/pub.pem"
"$PODPIS" pubkey --key "$OUT/key.pem" > "$OUT/pub.pem"
cat "$OUT/pub.pem"
printf '$ openssl pkey -in key.pem -pubout   # must be the same bytes\n'
ossl pkey -in "$OUT/key.pem" -pubout > "$OUT/pub.openssl.pem"
cmp "$OUT/pub.openssl.pem" "$OUT/pub.pem"
echo "identical"

step "Sign with podpis, verify with podpis and with OpenSSL"
run "$PODPIS" sign --raw --key "$OUT/key.pem" --in "$OUT/document.txt" --out "$OUT/document.sig"
run "$PODPIS" verify --raw --pub "$OUT/pub.pem" --sig "$OUT/document.sig" --in "$OUT/document.txt"
printf '$ openssl dgst -md_gost12_256 -verify pub.pem -signature document.sig document.txt\n'
ossl dgst -md_gost12_256 -verify "$OUT/pub.pem" -signature "$OUT/document.sig" "$OUT/document.txt"

step "Sign with OpenSSL, verify with podpis"
ossl dgst -md_gost12_256 -sign "$OUT/key.pem" -out "$OUT/document.openssl.sig" "$OUT/document.txt"
run "$PODPIS" verify --raw --pub "$OUT/pub.pem" --sig "$OUT/document.openssl.sig" --in "$OUT/document.txt"

step "A changed document no longer verifies (exit status 1)"
printf 'Доверенность на продажу квартиры\n' > "$OUT/forged.txt"
if "$PODPIS" verify --raw --pub "$OUT/pub.pem" --sig "$OUT/document.sig" --in "$OUT/forged.txt"; then
	echo "demo: a forged document verified" >&2
	exit 1
fi
step "A test PKI like a Russian accredited CA's, and a CAdES-BES signature"
run "$PODPIS" devpki --out "$OUT/pki"
run "$PODPIS" sign --key "$OUT/pki/signer.key" --cert "$OUT/pki/signer.pem" --in "$OUT/document.txt" --out "$OUT/document.p7s"
run "$PODPIS" sign --key "$OUT/pki/person.key" --cert "$OUT/pki/person.pem" --in "$OUT/document.txt" --out "$OUT/document.p7s" --add-to "$OUT/document.p7s"
run "$PODPIS" verify --in "$OUT/document.p7s" --content "$OUT/document.txt" --trust "$OUT/pki/ca.pem" --crl "$OUT/pki/crl.pem"
printf '$ openssl cms -verify -binary -inform DER -in document.p7s -content document.txt -CAfile ca.pem\n'
ossl cms -verify -binary -inform DER -in "$OUT/document.p7s" -content "$OUT/document.txt" -CAfile "$OUT/pki/ca.pem" -out /dev/null

step "A GOST key on a token: the project's test token (a PKCS#11 module over OpenSSL's GOST engine)"
export GOSTTOKEN_DIR="$PWD/$OUT/token" PODPIS_PKCS11_MODULE="$PWD/$MODULE"
mkdir -p "$GOSTTOKEN_DIR"
# Initialising the test token is an administrator's job; OpenSC's pkcs11-tool
# does it here (with the test token's throwaway PINs).
printf '$ pkcs11-tool --module %s --init-token --label demo; --init-pin\n' "$MODULE"
pkcs11-tool --module "$PODPIS_PKCS11_MODULE" --init-token --label demo --so-pin 87654321 >/dev/null
pkcs11-tool --module "$PODPIS_PKCS11_MODULE" --token-label demo --login --login-type so --so-pin 87654321 --init-pin --pin 12345678 >/dev/null
(umask 077 && printf '12345678\n' > "$OUT/pin.txt")   # podpis reads PINs from a file, $PODPIS_PIN or a prompt
KEY='pkcs11:token=demo;object=director'
run "$PODPIS" token keygen --key "$KEY" --curve 256-a --pin-file "$OUT/pin.txt"
run "$PODPIS" token csr --key "$KEY" --pin-file "$OUT/pin.txt" --out "$OUT/director.csr" \
	--subject 'CN=Иванов Иван Петрович,SN=Иванов,GN=Иван Петрович,T=Генеральный директор,O=ООО «Ромашка»,INNLE=7708123450,OGRN=1027708123453,SNILS=11223344595'
run "$PODPIS" devpki issue --dir "$OUT/pki" --csr "$OUT/director.csr" --out "$OUT/director.pem"
run "$PODPIS" token import-cert --key "$KEY" --cert "$OUT/director.pem" --pin-file "$OUT/pin.txt"
run "$PODPIS" token list
run "$PODPIS" sign --key "$KEY" --pin-file "$OUT/pin.txt" --in "$OUT/document.txt" --out "$OUT/document.token.p7s"
run "$PODPIS" verify --in "$OUT/document.token.p7s" --content "$OUT/document.txt" --trust "$OUT/pki/ca.pem" --crl "$OUT/pki/crl.pem"
printf '$ openssl cms -verify -binary -inform DER -in document.token.p7s -content document.txt -CAfile ca.pem\n'
ossl cms -verify -binary -inform DER -in "$OUT/document.token.p7s" -content "$OUT/document.txt" -CAfile "$OUT/pki/ca.pem" -out /dev/null

step "The changed document: the report says what is wrong (exit status 1)"
if "$PODPIS" verify --in "$OUT/document.p7s" --content "$OUT/forged.txt" --trust "$OUT/pki/ca.pem" --lang en; then
	echo "demo: a forged document verified" >&2
	exit 1
fi
step "A power of attorney (МЧД, EMCHD_1) from examples/mchd/poa.yaml, kept in the embedded registry"
export PODPIS_MCHD_DB="$PWD/$OUT/mchd.db"   # SQLite; a postgres:// URL works the same
mkdir -p "$OUT/mchd"
printf '$ %s mchd new --from examples/mchd/poa.yaml --out %s/mchd\n' "$PODPIS" "$OUT"
POA=$("$PODPIS" mchd new --from examples/mchd/poa.yaml --out "$OUT/mchd")
echo "$POA"
GUID=$(basename "$POA" .xml | sed 's/^ON_EMCHD_[0-9]*_//')
step "The head of the organisation signs it on the token (detached CAdES-BES over the exact bytes)"
run "$PODPIS" mchd sign --xml "$POA" --key "$KEY" --pin-file "$OUT/pin.txt"
printf '$ openssl cms -verify -binary -inform DER -in %s.sig -content %s -CAfile ca.pem\n' "$(basename "$POA" .xml)" "$(basename "$POA")"
ossl cms -verify -binary -inform DER -in "${POA%.xml}.sig" -content "$POA" -CAfile "$OUT/pki/ca.pem" -out /dev/null
step "Its printed form: PDF/A-2b with a QR code (registry URL + Streebog-256 of the XML) and a signature stamp"
run "$PODPIS" mchd render --xml "$POA" --sig "${POA%.xml}.sig" --out "$OUT/mchd/form.pdf"
run "$PODPIS" pdf check "$OUT/mchd/form.pdf"
step "Check it as a counterparty would: format, signature, chain, signer = the principal's head, term, registry, the form's QR"
run "$PODPIS" mchd check --xml "$POA" --sig "${POA%.xml}.sig" --trust "$OUT/pki/ca.pem" --crl "$OUT/pki/crl.pem" --pdf "$OUT/mchd/form.pdf"
step "May Петрова sign a UPD (power KLASS_2.0_SIGN) for ООО «Ромашка» today?"
run "$PODPIS" mchd check --xml "$POA" --sig "${POA%.xml}.sig" --trust "$OUT/pki/ca.pem" \
	--power KLASS_2.0_SIGN --representative "$OUT/pki/person.pem"
run "$PODPIS" mchd list
step "The head revokes it (a signed revocation statement kept with the POA)"
run "$PODPIS" mchd revoke --guid "$GUID" --reason "Сотрудник уволен" --key "$KEY" --pin-file "$OUT/pin.txt"
step "The check now fails with MCHD_REVOKED (exit status 1)"
set +e
"$PODPIS" mchd check --xml "$POA" --sig "${POA%.xml}.sig" --trust "$OUT/pki/ca.pem" > "$OUT/mchd/revoked.txt"
status=$?
set -e
cat "$OUT/mchd/revoked.txt"
if [ $status -ne 1 ] || ! grep -q MCHD_REVOKED "$OUT/mchd/revoked.txt"; then
	echo "demo: the revoked POA did not fail with MCHD_REVOKED (exit $status)" >&2
	exit 1
fi
run "$PODPIS" mchd journal --verify

printf '\nDone. Files are in %s/.\n' "$OUT"
