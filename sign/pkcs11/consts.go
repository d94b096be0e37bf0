package pkcs11

// Constants of the GOST R 34.10-2012 / 34.11-2012 algorithms that
// github.com/miekg/pkcs11 does not define: the TC 26 vendor extension of
// PKCS#11 ("pkcs11tc26"). The values are those of FACTS §5.2, where three
// independent public headers agree; the 2001-era standard ones (CKK_GOSTR3410
// 0x30, CKM_GOSTR3410 0x1201, CKA_GOSTR3410_PARAMS 0x250, …) come from
// miekg/pkcs11 (FACTS §5.1).
const (
	// vendorTC26 is NSSCK_VENDOR_PKCS11_RU_TEAM = CKK/CKM_VENDOR_DEFINED |
	// 0x54321000 (FACTS §5.2).
	vendorTC26 = 0x80000000 | 0x54321000 // 0xD4321000

	// ckkGOSTR3410_512 is the key type of 512-bit GOST R 34.10-2012 keys; a
	// 256-bit key is an ordinary CKK_GOSTR3410 key (FACTS §5.2, aliases).
	ckkGOSTR3410_512 = vendorTC26 + 0x003 // 0xD4321003

	// ckmGOSTR3410_512KeyPairGen generates a 512-bit key pair (FACTS §5.2);
	// 256-bit keys use CKM_GOSTR3410_KEY_PAIR_GEN (0x1200).
	ckmGOSTR3410_512KeyPairGen = vendorTC26 + 0x005 // 0xD4321005
	// ckmGOSTR3410_512 signs a 64-byte Streebog-512 digest given in wire
	// order; the output is BE(s) ‖ BE(r), 128 bytes (FACTS §5.2, §5.3).
	ckmGOSTR3410_512 = vendorTC26 + 0x006 // 0xD4321006
	// ckmGOSTR3410With3411_12_256 and _512 hash the data with Streebog on
	// the token side and sign it (FACTS §5.2, §5.3).
	ckmGOSTR3410With3411_12_256 = vendorTC26 + 0x008 // 0xD4321008
	ckmGOSTR3410With3411_12_512 = vendorTC26 + 0x009 // 0xD4321009
)
