package passhash

import (
	"errors"
	"fmt"
	"strings"
)

// Limits on what Parse accepts, so that the cost of a Verify is bounded
// whatever an imported row says. They sit well above what the exporting
// systems use by default; at the limits a Verify still takes seconds (tens
// of seconds for argon2 at 1 GiB and 20 passes), so sign-in should not run
// many legacy verifications at once.
// The limits keep one sign-in with an imported hash to about a second on a
// small machine, and its memory bounded: a hash outside them is refused at
// import rather than costing every later sign-in of its user. They allow
// the defaults of the systems these hashes come from (bcrypt cost 10-12,
// argon2id 64 MiB, Django's 1,000,000 PBKDF2 rounds, scrypt ln=16).
const (
	maxEncodedLen = 1024 // bytes of the whole encoded hash, JSON included

	maxSaltLen = 64 // bytes, decoded
	minSumLen  = 16 // bytes, decoded: a shorter tag lets random guesses match
	maxSumLen  = 64 // bytes, decoded

	maxBcryptCost = 14

	maxArgon2Memory  = 256 << 10 // KiB (256 MiB)
	maxArgon2Time    = 10
	maxArgon2Threads = 255
	minArgon2Salt    = 8 // the reference implementation's minimum

	maxPBKDF2Iter = 2_000_000

	maxScryptLogN = 20        // N = 2^20
	maxScryptRP   = 16        // r·p
	maxScryptMem  = 256 << 20 // bytes: 128·r·N
)

// Hash is a parsed, bounds-checked password hash. It is immutable and safe
// for concurrent use. The zero Hash verifies nothing.
type Hash struct {
	alg string
	v   verifier
}

type verifier interface {
	verify(password string) bool
}

// Verify reports whether password matches the hash. The password is used as
// its UTF-8 bytes, without normalisation, as the exporting systems hash it;
// for bcrypt only its first 72 bytes count, as in every bcrypt
// implementation those systems use. The final comparison takes constant
// time. Its cost is bounded by the limits Parse enforces.
func (h Hash) Verify(password string) bool {
	if h.v == nil {
		return false
	}
	return h.v.verify(password)
}

// Algorithm names the hash function for reports: "bcrypt", "argon2id",
// "argon2i", "pbkdf2-sha1", "pbkdf2-sha256", "pbkdf2-sha512", "scrypt" or
// "firebase-scrypt". It is "" for the zero Hash.
func (h Hash) Algorithm() string { return h.alg }

// String returns the algorithm only, so that logging a Hash never prints
// salts or hash bytes.
func (h Hash) String() string { return h.alg }

const expected = "expected bcrypt ($2a$, $2b$, $2y$), argon2 PHC ($argon2id$, $argon2i$), " +
	"PBKDF2 ($pbkdf2-sha256$, $pbkdf2-sha512$, $pbkdf2-sha1$, $pbkdf2$, pbkdf2_sha256$, pbkdf2_sha1$), " +
	"scrypt ($scrypt$), $firebase-scrypt$ or a Keycloak password credential JSON object"

// errFirebaseExport answers Firebase's own export records, which lack the
// project-wide parameters needed to verify them.
var errFirebaseExport = errors.New("passhash: Firebase export records are not accepted as they are: " +
	"a Firebase scrypt hash needs the project's hash parameters too; encode it as " +
	"$firebase-scrypt$mem_cost=<n>,rounds=<n>$<signer key>$<salt separator>$<salt>$<password hash>")

// Parse recognises an exported password hash and checks its parameters
// against the package's limits. It does no hashing, so it is cheap on any
// input. Errors name the expected form or the limit exceeded and never
// quote the input, which is secret.
func Parse(encoded string) (Hash, error) {
	if len(encoded) > maxEncodedLen {
		return Hash{}, fmt.Errorf("passhash: encoded hash is %d bytes, over the limit of %d", len(encoded), maxEncodedLen)
	}
	if encoded == "" {
		return Hash{}, errors.New("passhash: empty hash; " + expected)
	}
	var (
		alg string
		v   verifier
		err error
	)
	switch {
	case strings.HasPrefix(encoded, "$2"):
		alg, v, err = parseBcrypt(encoded)
	case strings.HasPrefix(encoded, "$argon2"):
		alg, v, err = parseArgon2PHC(encoded)
	case strings.HasPrefix(encoded, "$pbkdf2$"), strings.HasPrefix(encoded, "$pbkdf2-"):
		alg, v, err = parsePBKDF2PHC(encoded)
	case strings.HasPrefix(encoded, "pbkdf2_"):
		alg, v, err = parseDjango(encoded)
	case strings.HasPrefix(encoded, "$scrypt$"):
		alg, v, err = parseScrypt(encoded)
	case strings.HasPrefix(encoded, "$firebase-scrypt$"):
		alg, v, err = parseFirebase(encoded)
	case strings.HasPrefix(strings.TrimLeft(encoded, " \t\r\n"), "{"):
		if looksFirebase(encoded) {
			return Hash{}, errFirebaseExport
		}
		alg, v, err = parseKeycloak(encoded)
	case looksFirebase(encoded):
		return Hash{}, errFirebaseExport
	default:
		if id := scheme(encoded); id != "" {
			return Hash{}, fmt.Errorf("passhash: unsupported scheme %q; %s", id, expected)
		}
		return Hash{}, errors.New("passhash: unrecognised hash encoding; " + expected)
	}
	if err != nil {
		return Hash{}, err
	}
	return Hash{alg: alg, v: v}, nil
}

// looksFirebase spots the field names of Firebase's user export and of its
// project hash configuration.
func looksFirebase(s string) bool {
	for _, m := range []string{"passwordHash", "signer_key", "signerKey", "salt_separator", "saltSeparator", "hash_config", "hashConfig", "FIREBASE_SCRYPT"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// scheme returns the scheme name of a "$name$…" or "name$…" string when it
// looks like one, for error messages; "" otherwise. Only a short run of
// lowercase letters, digits, '-' and '_' is returned, never hash material.
func scheme(s string) string {
	lead := strings.HasPrefix(s, "$")
	rest := strings.TrimPrefix(s, "$")
	i := strings.IndexByte(rest, '$')
	if i < 1 || i > 32 {
		return ""
	}
	for _, c := range rest[:i] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return ""
		}
	}
	if lead {
		return "$" + rest[:i] + "$"
	}
	return rest[:i] + "$"
}

// limitError reports a parameter over (or under) a limit.
func limitError(what string, got uint64, op string, limit uint64) error {
	return fmt.Errorf("passhash: %s %d is %s the limit of %d", what, got, op, limit)
}

// number parses a decimal parameter and checks it against [min, max]. It
// refuses signs, spaces and anything over ten digits before converting, so
// it cannot overflow.
func number(what, s string, min, max uint64) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("passhash: %s is missing", what)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("passhash: %s is not a decimal number", what)
		}
	}
	if len(s) > 10 {
		return 0, fmt.Errorf("passhash: %s has %d digits, over the limit of %d", what, len(s), max)
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		n = n*10 + uint64(s[i]-'0')
	}
	if n > max {
		return 0, limitError(what, n, "over", max)
	}
	if n < min {
		return 0, limitError(what, n, "under", min)
	}
	return n, nil
}

// keyed splits "k1=v1,k2=v2,…" and requires exactly the given keys in that
// order, as the PHC encoders write them.
func keyed(what, s string, keys ...string) ([]string, error) {
	parts := strings.Split(s, ",")
	if len(parts) != len(keys) {
		return nil, fmt.Errorf("passhash: %s parameters must be %s", what, strings.Join(keys, "=…,")+"=…")
	}
	vals := make([]string, len(keys))
	for i, p := range parts {
		v, ok := strings.CutPrefix(p, keys[i]+"=")
		if !ok {
			return nil, fmt.Errorf("passhash: %s parameters must be %s", what, strings.Join(keys, "=…,")+"=…")
		}
		vals[i] = v
	}
	return vals, nil
}

// decodeB64 decodes base64 in the standard alphabet, padded or not. It
// also takes passlib's adapted alphabet, which writes '.' for '+'. Unlike
// encoding/base64 it refuses embedded newlines.
func decodeB64(s string) ([]byte, bool) {
	body := strings.TrimRight(s, "=")
	pad := len(s) - len(body)
	if pad > 2 || (pad > 0 && len(s)%4 != 0) || len(body)%4 == 1 {
		return nil, false
	}
	out := make([]byte, 0, len(body)*3/4)
	var acc uint32
	var bits uint
	for i := 0; i < len(body); i++ {
		c := body[i]
		var v byte
		switch {
		case c >= 'A' && c <= 'Z':
			v = c - 'A'
		case c >= 'a' && c <= 'z':
			v = c - 'a' + 26
		case c >= '0' && c <= '9':
			v = c - '0' + 52
		case c == '+' || c == '.':
			v = 62
		case c == '/':
			v = 63
		default:
			return nil, false
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
			acc &= 1<<bits - 1
		}
	}
	return out, true
}

// saltAndSum decodes and bounds a base64 salt and hash.
func saltAndSum(what, salt, sum string, minSalt int) ([]byte, []byte, error) {
	s, ok := decodeB64(salt)
	if !ok {
		return nil, nil, fmt.Errorf("passhash: %s salt is not valid base64", what)
	}
	if err := checkSalt(what, len(s), minSalt); err != nil {
		return nil, nil, err
	}
	h, ok := decodeB64(sum)
	if !ok {
		return nil, nil, fmt.Errorf("passhash: %s hash is not valid base64", what)
	}
	if err := checkSum(what, len(h)); err != nil {
		return nil, nil, err
	}
	return s, h, nil
}

func checkSalt(what string, n, min int) error {
	return checkLen(what+" salt length", n, min, maxSaltLen)
}

func checkSum(what string, n int) error {
	return checkLen(what+" hash length", n, minSumLen, maxSumLen)
}

func checkLen(what string, n, min, max int) error {
	if n > max {
		return limitError(what, uint64(n), "over", uint64(max))
	}
	if n < min {
		return limitError(what, uint64(n), "under", uint64(min))
	}
	return nil
}
