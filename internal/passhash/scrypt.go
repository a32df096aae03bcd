package passhash

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
	"strings"

	"golang.org/x/crypto/scrypt"
)

type scryptHash struct {
	logN, r, p int
	salt, sum  []byte
}

// parseScrypt accepts the PHC/passlib form "$scrypt$ln=<log2 N>,r=<n>,p=<n>$<salt>$<hash>".
func parseScrypt(s string) (string, verifier, error) {
	f := strings.Split(s, "$")
	if len(f) != 5 {
		return "", nil, fmt.Errorf("passhash: scrypt hash must be $scrypt$ln=<n>,r=<n>,p=<n>$<salt>$<hash>")
	}
	v, err := keyed("scrypt", f[2], "ln", "r", "p")
	if err != nil {
		return "", nil, err
	}
	logN, r, p, err := scryptParams("scrypt", v[0], v[1], v[2])
	if err != nil {
		return "", nil, err
	}
	salt, sum, err := saltAndSum("scrypt", f[3], f[4], 0)
	if err != nil {
		return "", nil, err
	}
	return "scrypt", &scryptHash{logN: logN, r: r, p: p, salt: salt, sum: sum}, nil
}

// scryptParams bounds work (N·r·p) and memory (128·N·r bytes).
func scryptParams(what, ln, r, p string) (int, int, int, error) {
	logN, err := number(what+" ln (log2 N)", ln, 1, maxScryptLogN)
	if err != nil {
		return 0, 0, 0, err
	}
	rr, err := number(what+" r", r, 1, maxScryptRP)
	if err != nil {
		return 0, 0, 0, err
	}
	pp, err := number(what+" p", p, 1, maxScryptRP)
	if err != nil {
		return 0, 0, 0, err
	}
	if rr*pp > maxScryptRP {
		return 0, 0, 0, limitError(what+" r·p", rr*pp, "over", maxScryptRP)
	}
	if mem := 128 * rr << logN; mem > maxScryptMem {
		return 0, 0, 0, limitError(what+" memory (128·r·N bytes)", mem, "over", maxScryptMem)
	}
	return int(logN), int(rr), int(pp), nil
}

func (h *scryptHash) verify(password string) bool {
	got, err := scrypt.Key([]byte(password), h.salt, 1<<h.logN, h.r, h.p, len(h.sum))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, h.sum) == 1
}

type firebaseHash struct {
	memCost, rounds int
	signerKey       []byte
	saltSep         []byte
	salt            []byte
	sum             []byte
}

// parseFirebase accepts
// "$firebase-scrypt$mem_cost=<n>,rounds=<n>$<signer key>$<salt separator>$<salt>$<password hash>",
// a one-string form of a Firebase Authentication user's passwordHash and
// salt with the project's hash parameters, all base64 as Firebase shows
// them. Firebase's scheme derives an AES-256 key with
// scrypt(password, salt‖separator, N=2^mem_cost, r=rounds, p=1) and
// stores the signer key encrypted under it in CTR mode with a zero IV.
func parseFirebase(s string) (string, verifier, error) {
	f := strings.Split(s, "$")
	if len(f) != 7 {
		return "", nil, fmt.Errorf("passhash: Firebase scrypt hash must be " +
			"$firebase-scrypt$mem_cost=<n>,rounds=<n>$<signer key>$<salt separator>$<salt>$<password hash>")
	}
	v, err := keyed("Firebase scrypt", f[2], "mem_cost", "rounds")
	if err != nil {
		return "", nil, err
	}
	logN, r, _, err := scryptParams("Firebase scrypt", v[0], v[1], "1")
	if err != nil {
		return "", nil, err
	}
	key, ok := decodeB64(f[3])
	if !ok {
		return "", nil, fmt.Errorf("passhash: Firebase signer key is not valid base64")
	}
	sep, ok := decodeB64(f[4])
	if !ok {
		return "", nil, fmt.Errorf("passhash: Firebase salt separator is not valid base64")
	}
	if err := checkLen("Firebase salt separator length", len(sep), 0, maxSaltLen); err != nil {
		return "", nil, err
	}
	salt, sum, err := saltAndSum("Firebase", f[5], f[6], 0)
	if err != nil {
		return "", nil, err
	}
	if len(key) != len(sum) {
		return "", nil, fmt.Errorf("passhash: Firebase signer key and password hash differ in length")
	}
	return "firebase-scrypt", &firebaseHash{memCost: logN, rounds: r, signerKey: key, saltSep: sep, salt: salt, sum: sum}, nil
}

func (h *firebaseHash) verify(password string) bool {
	salt := make([]byte, 0, len(h.salt)+len(h.saltSep))
	salt = append(append(salt, h.salt...), h.saltSep...)
	dk, err := scrypt.Key([]byte(password), salt, 1<<h.memCost, h.rounds, 1, 32)
	if err != nil {
		return false
	}
	block, err := aes.NewCipher(dk)
	if err != nil {
		return false
	}
	got := make([]byte, len(h.signerKey))
	cipher.NewCTR(block, make([]byte, aes.BlockSize)).XORKeyStream(got, h.signerKey)
	return subtle.ConstantTimeCompare(got, h.sum) == 1
}
