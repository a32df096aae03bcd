package passhash

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// Benchmarks of Verify at each format's usual parameters: the exporting
// systems' defaults or common recommendations. The hashes are made here
// with the primitives; correctness is the known-answer tests' job.
func BenchmarkVerify(b *testing.B) {
	const pw = "correct horse battery staple"
	enc := base64.RawStdEncoding.EncodeToString
	salt := fill(16)

	bc, err := bcrypt.GenerateFromPassword([]byte(pw), 10)
	if err != nil {
		b.Fatal(err)
	}
	pb := func(h func() hash.Hash, iter, n int) []byte {
		k, err := pbkdf2.Key(h, pw, salt, iter, n)
		if err != nil {
			b.Fatal(err)
		}
		return k
	}
	sc := func(logN, r, p int) string {
		k, err := scrypt.Key([]byte(pw), salt, 1<<logN, r, p, 32)
		if err != nil {
			b.Fatal(err)
		}
		return fmt.Sprintf("$scrypt$ln=%d,r=%d,p=%d$%s$%s", logN, r, p, enc(salt), enc(k))
	}
	// Firebase's usual project parameters: rounds 8, mem_cost 14.
	signer, sep := fill(64), []byte{7}
	dk, err := scrypt.Key([]byte(pw), append(append([]byte{}, salt[:10]...), sep...), 1<<14, 8, 1, 32)
	if err != nil {
		b.Fatal(err)
	}
	block, _ := aes.NewCipher(dk)
	fb := make([]byte, len(signer))
	cipher.NewCTR(block, make([]byte, aes.BlockSize)).XORKeyStream(fb, signer)

	cases := []struct{ name, encoded string }{
		{"bcrypt/cost=10", string(bc)},
		{"argon2id/m=65536,t=3,p=4", fmt.Sprintf("$argon2id$v=19$m=65536,t=3,p=4$%s$%s", enc(salt), enc(argon2.IDKey([]byte(pw), salt, 3, 65536, 4, 32)))},
		{"argon2id/m=7168,t=5,p=1(Keycloak)", fmt.Sprintf("$argon2id$v=19$m=7168,t=5,p=1$%s$%s", enc(salt), enc(argon2.IDKey([]byte(pw), salt, 5, 7168, 1, 32)))},
		{"pbkdf2-sha256/i=27500(Keycloak<24)", "$pbkdf2-sha256$i=27500$" + enc(salt) + "$" + enc(pb(sha256.New, 27500, 64))},
		{"pbkdf2-sha256/i=600000", "$pbkdf2-sha256$i=600000$" + enc(salt) + "$" + enc(pb(sha256.New, 600000, 32))},
		{"pbkdf2-sha512/i=210000", "$pbkdf2-sha512$i=210000$" + enc(salt) + "$" + enc(pb(sha512.New, 210000, 64))},
		{"pbkdf2-sha1/i=1300000", "$pbkdf2-sha1$i=1300000$" + enc(salt) + "$" + enc(pb(sha1.New, 1300000, 20))},
		{"django-pbkdf2-sha256/i=260000", "pbkdf2_sha256$260000$" + "abcdefghijklmnopqrstuv" + "$" + base64.StdEncoding.EncodeToString(djangoKey(b, pw, "abcdefghijklmnopqrstuv", 260000))},
		{"scrypt/ln=16,r=8,p=1", sc(16, 8, 1)},
		{"firebase-scrypt/mem_cost=14,rounds=8", "$firebase-scrypt$mem_cost=14,rounds=8$" + enc(signer) + "$" + enc(sep) + "$" + enc(salt[:10]) + "$" + enc(fb)},
	}
	for _, c := range cases {
		h, err := Parse(c.encoded)
		if err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		if !h.Verify(pw) {
			b.Fatalf("%s: does not verify", c.name)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				h.Verify(pw)
			}
		})
	}
}

func djangoKey(b *testing.B, pw, salt string, iter int) []byte {
	k, err := pbkdf2.Key(sha256.New, pw, []byte(salt), iter, 32)
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func BenchmarkParse(b *testing.B) {
	in := "$argon2id$v=19$m=65536,t=3,p=4$" + b64(16) + "$" + b64(32)
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}
