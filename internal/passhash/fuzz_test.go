package passhash

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds Parse arbitrary text seeded with every format. Parse must
// not panic, must answer quickly (it does no hashing), must hand back only
// hashes within the limits, and must not quote long inputs in its errors.
// Hashes cheap enough to verify are verified, so that Verify too is fuzzed
// with whatever parameters Parse lets through.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		f.Fatal("no testdata", err)
	}
	for _, file := range files {
		// A few lines of each file keep the seed corpus quick to run.
		for i, v := range readVectors(f, filepath.Base(file)) {
			if i < 4 {
				f.Add(v.encoded)
			}
		}
	}
	for _, s := range []string{
		"", "$", "$$$$$", "{", "{}", `{"secretData":"{}","credentialData":"{}"}`,
		"$2b$04$" + bcryptBody,
		"$argon2id$v=19$m=8,t=1,p=1$" + b64(8) + "$" + b64(16),
		"$argon2i$v=19$m=262144,t=10,p=255$" + b64(16) + "$" + b64(32),
		"$pbkdf2-sha256$i=1$" + b64(16) + "$" + b64(32),
		"$pbkdf2$1$" + b64(16) + "$" + b64(20),
		"pbkdf2_sha1$1$s$" + b64(20),
		"$scrypt$ln=1,r=1,p=1$$" + b64(16),
		"$firebase-scrypt$mem_cost=1,rounds=1$" + b64(16) + "$$$" + b64(16),
		`{"passwordHash":"x"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start := time.Now()
		h, err := Parse(s)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Parse took %v", d)
		}
		if err != nil {
			if h.v != nil || h.alg != "" {
				t.Fatal("error with a usable Hash")
			}
			if !strings.HasPrefix(err.Error(), "passhash: ") {
				t.Fatalf("error without prefix: %v", err)
			}
			if len(s) > 40 && strings.Contains(err.Error(), s) {
				t.Fatalf("error quotes the input: %v", err)
			}
			return
		}
		if h.Algorithm() == "" {
			t.Fatal("parsed Hash without an algorithm")
		}
		if work := checkLimits(t, h); work <= cheapWork {
			vs := time.Now()
			h.Verify("fuzz")
			if d := time.Since(vs); d > 200*time.Millisecond {
				t.Fatalf("Verify (work %d) took %v", work, d)
			}
		}
	})
}

// cheapWork bounds the hashes the fuzzer verifies, in units of roughly one
// hash-function block or one KiB of memory-hard mixing.
const cheapWork = 1 << 10

// checkLimits fails unless every parameter of h is within the package
// limits, and returns a rough cost of verifying it.
func checkLimits(t *testing.T, h Hash) int {
	t.Helper()
	salt := func(b []byte, min int) {
		if len(b) < min || len(b) > maxSaltLen {
			t.Fatalf("salt length %d", len(b))
		}
	}
	sum := func(b []byte) {
		if len(b) < minSumLen || len(b) > maxSumLen {
			t.Fatalf("hash length %d", len(b))
		}
	}
	switch v := h.v.(type) {
	case *bcryptHash:
		if v.cost < 4 || v.cost > maxBcryptCost || len(v.encoded) != 60 {
			t.Fatalf("bcrypt cost %d, length %d", v.cost, len(v.encoded))
		}
		return 1 << v.cost * 256
	case *argon2Hash:
		if v.memory > maxArgon2Memory || v.memory < 8*uint32(v.threads) || v.time < 1 || v.time > maxArgon2Time || v.threads < 1 {
			t.Fatalf("argon2 m=%d t=%d p=%d", v.memory, v.time, v.threads)
		}
		salt(v.salt, minArgon2Salt)
		sum(v.sum)
		return int(v.memory) * int(v.time)
	case *pbkdf2Hash:
		if v.iter < 1 || v.iter > maxPBKDF2Iter || v.prf == nil {
			t.Fatalf("PBKDF2 iterations %d", v.iter)
		}
		salt(v.salt, 0)
		sum(v.sum)
		return v.iter * (len(v.sum)/20 + 1)
	case *scryptHash:
		if v.logN < 1 || v.logN > maxScryptLogN || v.r < 1 || v.p < 1 || v.r*v.p > maxScryptRP || 128*v.r<<v.logN > maxScryptMem {
			t.Fatalf("scrypt ln=%d r=%d p=%d", v.logN, v.r, v.p)
		}
		salt(v.salt, 0)
		sum(v.sum)
		return (1 << v.logN) * v.r * v.p / 8
	case *firebaseHash:
		if v.memCost < 1 || v.memCost > maxScryptLogN || v.rounds < 1 || v.rounds > maxScryptRP || 128*v.rounds<<v.memCost > maxScryptMem {
			t.Fatalf("Firebase mem_cost=%d rounds=%d", v.memCost, v.rounds)
		}
		salt(v.salt, 0)
		salt(v.saltSep, 0)
		sum(v.sum)
		if len(v.signerKey) != len(v.sum) {
			t.Fatal("signer key length")
		}
		return (1 << v.memCost) * v.rounds / 8
	default:
		t.Fatalf("unknown verifier %T", h.v)
	}
	return 0
}
