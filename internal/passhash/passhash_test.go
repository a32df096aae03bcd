package passhash

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

func b64(n int) string { return base64.RawStdEncoding.EncodeToString(fill(n)) }

func fill(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*37 + 11)
	}
	return b
}

const bcryptBody = "prUYgwnBtlX7tCPqS4eDOOS5m6CSPEMmHfdWz/vCS0sJax8VFD4jW" // 53 characters

func TestParseRefuses(t *testing.T) {
	s16, h32 := b64(16), b64(32)
	kc := func(body string) string { return `{"type":"password",` + body + `}` }
	kcArgon := func(params string) string {
		data := `{\"hashIterations\":5,\"algorithm\":\"argon2\",\"additionalParameters\":{` + params + `}}`
		secret := `{\"value\":\"` + base64.StdEncoding.EncodeToString(fill(32)) + `\",\"salt\":\"` + base64.StdEncoding.EncodeToString(fill(16)) + `\"}`
		return `{"secretData":"` + secret + `","credentialData":"` + data + `"}`
	}
	okArgonParams := `\"hashLength\":[\"32\"],\"memory\":[\"7168\"],\"type\":[\"id\"],\"version\":[\"1.3\"],\"parallelism\":[\"1\"]`
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty hash"},
		{"too long", "$2b$" + strings.Repeat("a", 1100), "1104 bytes, over the limit of 1024"},
		{"plain text", "hunter2", "unrecognised hash encoding; expected bcrypt"},
		{"md5-crypt", "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", `unsupported scheme "$1$"`},
		{"Django argon2", "argon2$argon2id$v=19$m=102400,t=2,p=8$" + s16 + "$" + h32, `unsupported scheme "argon2$"`},
		{"Django md5", "md5$salt$0123456789abcdef0123456789abcdef", `unsupported scheme "md5$"`},

		{"bcrypt 2x", "$2x$10$" + bcryptBody, "unsupported bcrypt variant"},
		{"bcrypt 2", "$2$10$" + bcryptBody, "unsupported bcrypt variant"},
		{"bcrypt short", "$2b$10$" + bcryptBody[1:], "60 characters"},
		{"bcrypt long", "$2b$10$" + bcryptBody + "A", "60 characters"},
		{"bcrypt cost over", "$2b$15$" + bcryptBody, "bcrypt cost 15 is over the limit of 14"},
		{"bcrypt cost 31", "$2b$31$" + bcryptBody, "bcrypt cost 31 is over the limit of 14"},
		{"bcrypt cost under", "$2b$03$" + bcryptBody, "bcrypt cost 3 is under the limit of 4"},
		{"bcrypt cost letters", "$2b$1a$" + bcryptBody, "bcrypt cost is not a decimal number"},
		{"bcrypt alphabet", "$2b$10$" + bcryptBody[:20] + "+" + bcryptBody[21:], "bcrypt's base64 alphabet"},
		{"bcrypt final char", "$2b$10$" + bcryptBody[:52] + "X", "malformed final character"},

		{"argon2d", "$argon2d$v=19$m=65536,t=3,p=4$" + s16 + "$" + h32, "argon2d is not supported"},
		{"argon2 variant", "$argon2x$v=19$m=65536,t=3,p=4$" + s16 + "$" + h32, "unsupported argon2 variant"},
		{"argon2 v1.0 implicit", "$argon2i$m=65536,t=3,p=4$" + s16 + "$" + h32, "version 1.0"},
		{"argon2 v1.0", "$argon2id$v=16$m=65536,t=3,p=4$" + s16 + "$" + h32, "must be v=19"},
		{"argon2 fields", "$argon2id$v=19$m=65536,t=3,p=4$" + s16, "argon2 hash must be"},
		{"argon2 order", "$argon2id$v=19$t=3,m=65536,p=4$" + s16 + "$" + h32, "parameters must be m=…,t=…,p=…"},
		{"argon2 keyid", "$argon2id$v=19$m=65536,t=3,p=4,keyid=Zm9v$" + s16 + "$" + h32, "keyid and data"},
		{"argon2 memory over", "$argon2id$v=19$m=262145,t=3,p=4$" + s16 + "$" + h32, "argon2 memory (KiB) 262145 is over the limit of 262144"},
		{"argon2 memory digits", "$argon2id$v=19$m=99999999999,t=3,p=4$" + s16 + "$" + h32, "argon2 memory (KiB) has 11 digits"},
		{"argon2 memory per lane", "$argon2id$v=19$m=31,t=3,p=4$" + s16 + "$" + h32, "argon2 memory (KiB) 31 is under the limit of 32"},
		{"argon2 time over", "$argon2id$v=19$m=65536,t=11,p=4$" + s16 + "$" + h32, "argon2 time 11 is over the limit of 10"},
		{"argon2 time zero", "$argon2id$v=19$m=65536,t=0,p=4$" + s16 + "$" + h32, "argon2 time 0 is under the limit of 1"},
		{"argon2 lanes over", "$argon2id$v=19$m=65536,t=3,p=256$" + s16 + "$" + h32, "argon2 parallelism 256 is over the limit of 255"},
		{"argon2 lanes zero", "$argon2id$v=19$m=65536,t=3,p=0$" + s16 + "$" + h32, "argon2 parallelism 0 is under"},
		{"argon2 negative", "$argon2id$v=19$m=-1,t=3,p=4$" + s16 + "$" + h32, "not a decimal number"},
		{"argon2 empty value", "$argon2id$v=19$m=,t=3,p=4$" + s16 + "$" + h32, "argon2 memory (KiB) is missing"},
		{"argon2 salt base64", "$argon2id$v=19$m=65536,t=3,p=4$sa!t$" + h32, "argon2 salt is not valid base64"},
		{"argon2 salt newline", "$argon2id$v=19$m=65536,t=3,p=4$" + s16[:10] + "\n" + s16[10:] + "$" + h32, "argon2 salt is not valid base64"},
		{"argon2 salt short", "$argon2id$v=19$m=65536,t=3,p=4$" + b64(4) + "$" + h32, "argon2 salt length 4 is under the limit of 8"},
		{"argon2 salt long", "$argon2id$v=19$m=65536,t=3,p=4$" + b64(65) + "$" + h32, "argon2 salt length 65 is over the limit of 64"},
		{"argon2 hash short", "$argon2id$v=19$m=65536,t=3,p=4$" + s16 + "$" + b64(8), "argon2 hash length 8 is under the limit of 16"},
		{"argon2 hash long", "$argon2id$v=19$m=65536,t=3,p=4$" + s16 + "$" + b64(65), "argon2 hash length 65 is over the limit of 64"},
		{"argon2 bad padding", "$argon2id$v=19$m=65536,t=3,p=4$" + s16 + "=$" + h32, "argon2 salt is not valid base64"},

		{"pbkdf2 md5", "$pbkdf2-md5$i=1000$" + s16 + "$" + h32, "unsupported PBKDF2 hash function"},
		{"pbkdf2 fields", "$pbkdf2-sha256$i=1000$" + s16, "PBKDF2 hash must be"},
		{"pbkdf2 iterations over", "$pbkdf2-sha256$i=2000001$" + s16 + "$" + h32, "PBKDF2 iterations 2000001 is over the limit of 2000000"},
		{"passlib iterations over", "$pbkdf2-sha512$20000000$" + s16 + "$" + h32, "PBKDF2 iterations 20000000 is over the limit"},
		{"pbkdf2 iterations zero", "$pbkdf2$0$" + s16 + "$" + h32, "PBKDF2 iterations 0 is under the limit of 1"},
		{"pbkdf2 iterations missing", "$pbkdf2-sha1$i=$" + s16 + "$" + h32, "PBKDF2 iterations is missing"},
		{"pbkdf2 other param", "$pbkdf2-sha256$n=1000$" + s16 + "$" + h32, "PBKDF2 iterations is not a decimal number"},
		{"pbkdf2 hash short", "$pbkdf2-sha256$i=1000$" + s16 + "$" + b64(15), "PBKDF2 hash length 15 is under the limit of 16"},
		{"pbkdf2 hash base64", "$pbkdf2-sha256$i=1000$" + s16 + "$" + h32 + "_", "PBKDF2 hash is not valid base64"},

		{"django md5", "pbkdf2_md5$1000$salt$" + h32, "unsupported Django hasher"},
		{"django fields", "pbkdf2_sha256$1000$salt", "Django hash must be"},
		{"django iterations over", "pbkdf2_sha256$2000001$salt$" + h32, "PBKDF2 iterations 2000001 is over the limit"},
		{"django salt empty", "pbkdf2_sha256$1000$$" + h32, "Django salt length 0 is under the limit of 1"},
		{"django salt space", "pbkdf2_sha256$1000$sa lt$" + h32, "Django salt must be printable ASCII"},
		{"django salt long", "pbkdf2_sha256$1000$" + strings.Repeat("s", 65) + "$" + h32, "Django salt length 65 is over the limit of 64"},
		{"django hash", "pbkdf2_sha256$1000$salt$***", "Django hash is not valid base64"},

		{"scrypt fields", "$scrypt$ln=15,r=8,p=1$" + s16, "scrypt hash must be"},
		{"scrypt order", "$scrypt$r=8,ln=15,p=1$" + s16 + "$" + h32, "parameters must be ln=…,r=…,p=…"},
		{"scrypt N over", "$scrypt$ln=21,r=8,p=1$" + s16 + "$" + h32, "scrypt ln (log2 N) 21 is over the limit of 20"},
		{"scrypt N under", "$scrypt$ln=0,r=8,p=1$" + s16 + "$" + h32, "scrypt ln (log2 N) 0 is under the limit of 1"},
		{"scrypt r over", "$scrypt$ln=10,r=17,p=1$" + s16 + "$" + h32, "scrypt r 17 is over the limit of 16"},
		{"scrypt rp over", "$scrypt$ln=10,r=8,p=4$" + s16 + "$" + h32, "scrypt r·p 32 is over the limit of 16"},
		{"scrypt memory over", "$scrypt$ln=18,r=16,p=1$" + s16 + "$" + h32, "scrypt memory (128·r·N bytes) 536870912 is over the limit of 268435456"},
		{"scrypt p zero", "$scrypt$ln=10,r=8,p=0$" + s16 + "$" + h32, "scrypt p 0 is under the limit of 1"},

		{"firebase fields", "$firebase-scrypt$mem_cost=14,rounds=8$" + b64(64) + "$Bw$" + s16, "Firebase scrypt hash must be"},
		{"firebase params", "$firebase-scrypt$rounds=8,mem_cost=14$" + b64(64) + "$Bw$" + s16 + "$" + b64(64), "must be mem_cost=…,rounds=…"},
		{"firebase mem_cost over", "$firebase-scrypt$mem_cost=21,rounds=8$" + b64(64) + "$Bw$" + s16 + "$" + b64(64), "Firebase scrypt ln (log2 N) 21 is over the limit of 20"},
		{"firebase rounds over", "$firebase-scrypt$mem_cost=14,rounds=17$" + b64(64) + "$Bw$" + s16 + "$" + b64(64), "Firebase scrypt r 17 is over the limit of 16"},
		{"firebase rounds zero", "$firebase-scrypt$mem_cost=14,rounds=0$" + b64(64) + "$Bw$" + s16 + "$" + b64(64), "Firebase scrypt r 0 is under the limit of 1"},
		{"firebase key length", "$firebase-scrypt$mem_cost=14,rounds=8$" + b64(48) + "$Bw$" + s16 + "$" + b64(64), "differ in length"},
		{"firebase key base64", "$firebase-scrypt$mem_cost=14,rounds=8$%%$Bw$" + s16 + "$" + b64(64), "signer key is not valid base64"},
		{"firebase separator long", "$firebase-scrypt$mem_cost=14,rounds=8$" + b64(64) + "$" + b64(65) + "$" + s16 + "$" + b64(64), "separator length 65 is over the limit of 64"},
		{"firebase user record", `{"localId":"u1","email":"a@example.com","passwordHash":"` + b64(64) + `","salt":"` + s16 + `"}`, "Firebase export records are not accepted"},
		{"firebase hash config", "hash_config { algorithm: SCRYPT, base64_signer_key: " + b64(64) + ", base64_salt_separator: Bw==, rounds: 8, mem_cost: 14 }", "Firebase export records are not accepted"},

		{"JSON array", `[1,2]`, "unrecognised hash encoding"},
		{"keycloak syntax", `{"algorithm":`, "Keycloak credential is not a valid JSON object"},
		{"keycloak otp", `{"type":"otp","secretData":"{\"value\":\"JBSWY3DPEHPK3PXP\"}","credentialData":"{\"algorithm\":\"HmacSHA1\"}"}`, `not of type "password"`},
		{"keycloak plaintext", kc(`"value":"hunter2","temporary":false`), "needs algorithm, hashIterations, salt and value"},
		{"keycloak bcrypt", kc(`"algorithm":"bcrypt","hashIterations":10,"salt":"` + s16 + `","value":"` + h32 + `"`), "unsupported Keycloak credential algorithm"},
		{"keycloak iterations type", kc(`"algorithm":"pbkdf2-sha256","hashIterations":"27500","salt":"` + s16 + `","value":"` + h32 + `"`), `field "hashIterations" has the wrong JSON type`},
		{"keycloak iterations float", kc(`"algorithm":"pbkdf2-sha256","hashIterations":2.5e4,"salt":"` + s16 + `","value":"` + h32 + `"`), `field "hashIterations" has the wrong JSON type`},
		{"keycloak iterations negative", kc(`"algorithm":"pbkdf2-sha256","hashIterations":-1,"salt":"` + s16 + `","value":"` + h32 + `"`), "PBKDF2 iterations is not a decimal number"},
		{"keycloak iterations over", kc(`"algorithm":"pbkdf2-sha256","hashIterations":27500000,"salt":"` + s16 + `","value":"` + h32 + `"`), "PBKDF2 iterations 27500000 is over the limit of 2000000"},
		{"keycloak iterations huge", kc(`"algorithm":"pbkdf2-sha256","hashIterations":99999999999999,"salt":"` + s16 + `","value":"` + h32 + `"`), "PBKDF2 iterations has 14 digits"},
		{"keycloak both values", kc(`"algorithm":"pbkdf2","hashIterations":1,"salt":"` + s16 + `","value":"` + h32 + `","hashedSaltedValue":"` + b64(20) + `"`), "both value and hashedSaltedValue"},
		{"keycloak value short", kc(`"algorithm":"pbkdf2","hashIterations":1000,"salt":"` + s16 + `","value":"` + b64(8) + `"`), "Keycloak hash length 8 is under the limit of 16"},
		{"keycloak half split", `{"secretData":"{}"}`, "needs both secretData and credentialData"},
		{"keycloak secretData garbage", `{"secretData":"not json","credentialData":"{}"}`, "Keycloak secretData is not a valid JSON object"},
		{"keycloak secretData number", `{"secretData":5,"credentialData":"{}"}`, "Keycloak secretData is not a valid JSON object"},
		{"keycloak argon2d", kcArgon(strings.Replace(okArgonParams, `[\"id\"]`, `[\"d\"]`, 1)), "argon2d is not supported"},
		{"keycloak argon2 no type", kcArgon(strings.Replace(okArgonParams, `\"type\":[\"id\"],`, ``, 1)), `needs additionalParameters type "id" or "i"`},
		{"keycloak argon2 v1.0", kcArgon(strings.Replace(okArgonParams, `1.3`, `1.0`, 1)), "version 1.0 is not supported"},
		{"keycloak argon2 hashLength", kcArgon(strings.Replace(okArgonParams, `[\"32\"]`, `[\"64\"]`, 1)), "hashLength does not match"},
		{"keycloak argon2 memory", kcArgon(strings.Replace(okArgonParams, `[\"7168\"]`, `[\"2097152\"]`, 1)), "argon2 memory (KiB) 2097152 is over the limit of 262144"},
		{"keycloak argon2 memory missing", kcArgon(strings.Replace(okArgonParams, `\"memory\":[\"7168\"],`, ``, 1)), "argon2 memory (KiB) is missing"},
		{"keycloak argon2 two values", kcArgon(strings.Replace(okArgonParams, `[\"1\"]`, `[\"1\",\"2\"]`, 1)), "argon2 parallelism is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			h, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse succeeded (%s), want error containing %q", h.Algorithm(), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "passhash: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if h.v != nil || h.Verify("") || h.Algorithm() != "" {
				t.Error("a refused Parse returned a usable Hash")
			}
			if d := time.Since(start); d > 100*time.Millisecond {
				t.Errorf("Parse took %v", d)
			}
			assertNoSecrets(t, tt.in, err)
		})
	}
}

// assertNoSecrets checks that an error quotes none of the salt or hash
// material the test inputs are made of.
func assertNoSecrets(t *testing.T, in string, err error) {
	t.Helper()
	material := []string{bcryptBody}
	for n := 4; n <= 65; n++ {
		material = append(material, b64(n), base64.StdEncoding.EncodeToString(fill(n)))
	}
	for _, m := range material {
		if len(m) >= 12 && strings.Contains(in, m[:12]) && strings.Contains(err.Error(), m[:12]) {
			t.Errorf("error %q quotes input material", err)
		}
	}
}

// Parse does no hashing: hashes at the limits, which take a second or more
// and up to 256 MiB each to verify, parse at once.
func TestParseAtLimitsIsCheap(t *testing.T) {
	s16, h32 := b64(16), b64(32)
	in := []string{
		"$2b$14$" + bcryptBody,
		"$argon2id$v=19$m=262144,t=10,p=255$" + b64(64) + "$" + b64(64),
		"$argon2i$v=19$m=262144,t=10,p=1$" + s16 + "$" + h32,
		"$pbkdf2-sha1$i=2000000$" + b64(64) + "$" + b64(64),
		"$pbkdf2-sha512$2000000$" + s16 + "$" + b64(64),
		"pbkdf2_sha256$2000000$" + strings.Repeat("s", 64) + "$" + base64.StdEncoding.EncodeToString(fill(32)),
		"$scrypt$ln=18,r=8,p=2$" + s16 + "$" + b64(64),
		"$scrypt$ln=17,r=1,p=16$" + s16 + "$" + b64(64),
		"$firebase-scrypt$mem_cost=18,rounds=8$" + b64(64) + "$" + b64(64) + "$" + b64(64) + "$" + b64(64),
		`{"algorithm":"pbkdf2-sha512","hashIterations":2000000,"salt":"` + b64(64) + `","value":"` + b64(64) + `"}`,
	}
	start := time.Now()
	for _, s := range in {
		h, err := Parse(s)
		if err != nil {
			t.Errorf("Parse at the limits: %v", err)
			continue
		}
		if h.Algorithm() == "" {
			t.Error("no algorithm")
		}
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("parsing %d hashes took %v", len(in), d)
	}
}

// Padding is optional, and passlib's '.' stands for '+'.
func TestBase64Forms(t *testing.T) {
	raw := fill(32) // encodes with '+' and '/'
	std := base64.StdEncoding.EncodeToString(raw)
	for _, s := range []string{std, strings.TrimRight(std, "="), strings.ReplaceAll(strings.TrimRight(std, "="), "+", ".")} {
		got, ok := decodeB64(s)
		if !ok || string(got) != string(raw) {
			t.Errorf("decodeB64(%q) = %x, %v", s, got, ok)
		}
	}
	if !strings.ContainsAny(std, "+/") {
		t.Fatal("test input lacks '+' or '/'")
	}
	for _, s := range []string{"A", "AB=", "AB===", "ABC==", "AB=C", "A-B_", "AB\nCD", "AB CD"} {
		if _, ok := decodeB64(s); ok {
			t.Errorf("decodeB64(%q) accepted", s)
		}
	}
}

func TestZeroHash(t *testing.T) {
	var h Hash
	if h.Verify("") || h.Verify("x") || h.Algorithm() != "" {
		t.Error("zero Hash is usable")
	}
}

// Logging a Hash prints its algorithm, not its salt or hash bytes.
func TestHashFormatting(t *testing.T) {
	h, err := Parse("$pbkdf2-sha256$i=1000$" + b64(16) + "$" + b64(32))
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%s", "%+v"} {
		if got := fmt.Sprintf(verb, h); got != "pbkdf2-sha256" {
			t.Errorf("%s: %q", verb, got)
		}
	}
}
