package passhash

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"hash"
	"strings"
)

type pbkdf2Hash struct {
	prf  func() hash.Hash
	iter int
	salt []byte
	sum  []byte
}

var pbkdf2PRFs = map[string]func() hash.Hash{
	"sha1":   sha1.New,
	"sha256": sha256.New,
	"sha512": sha512.New,
}

// parsePBKDF2PHC accepts "$pbkdf2-<prf>$i=<iterations>$<salt>$<hash>" (the
// PHC form, also the one-string form of a Keycloak credential) and passlib's
// "$pbkdf2-<prf>$<rounds>$<salt>$<hash>", where passlib's SHA-1 scheme is
// spelled "$pbkdf2$". Salt and hash are base64 in either alphabet.
func parsePBKDF2PHC(s string) (string, verifier, error) {
	f := strings.Split(s, "$")
	prf := "sha1"
	if f[1] != "pbkdf2" {
		prf = strings.TrimPrefix(f[1], "pbkdf2-")
	}
	if pbkdf2PRFs[prf] == nil {
		return "", nil, fmt.Errorf("passhash: unsupported PBKDF2 hash function; expected $pbkdf2-sha256$, $pbkdf2-sha512$, $pbkdf2-sha1$ or $pbkdf2$")
	}
	if len(f) != 5 {
		return "", nil, fmt.Errorf("passhash: PBKDF2 hash must be $%s$i=<iterations>$<salt>$<hash> or $%s$<rounds>$<salt>$<hash>", f[1], f[1])
	}
	iter := strings.TrimPrefix(f[2], "i=")
	salt, sum, err := saltAndSum("PBKDF2", f[3], f[4], 0)
	if err != nil {
		return "", nil, err
	}
	return newPBKDF2(prf, iter, salt, sum)
}

// parseDjango accepts Django's "pbkdf2_sha256$<iterations>$<salt>$<hash>"
// and "pbkdf2_sha1$…". Django's salt is used as its literal text; only the
// hash is base64.
func parseDjango(s string) (string, verifier, error) {
	f := strings.Split(s, "$")
	prf, _ := strings.CutPrefix(f[0], "pbkdf2_")
	if prf != "sha256" && prf != "sha1" {
		return "", nil, fmt.Errorf("passhash: unsupported Django hasher; expected pbkdf2_sha256$ or pbkdf2_sha1$")
	}
	if len(f) != 4 {
		return "", nil, fmt.Errorf("passhash: Django hash must be %s$<iterations>$<salt>$<hash>", f[0])
	}
	salt := f[2]
	if err := checkSalt("Django", len(salt), 1); err != nil {
		return "", nil, err
	}
	for i := 0; i < len(salt); i++ {
		if salt[i] <= ' ' || salt[i] > '~' {
			return "", nil, fmt.Errorf("passhash: Django salt must be printable ASCII")
		}
	}
	sum, ok := decodeB64(f[3])
	if !ok {
		return "", nil, fmt.Errorf("passhash: Django hash is not valid base64")
	}
	if err := checkSum("Django", len(sum)); err != nil {
		return "", nil, err
	}
	return newPBKDF2(prf, f[1], []byte(salt), sum)
}

func newPBKDF2(prf, iter string, salt, sum []byte) (string, verifier, error) {
	n, err := number("PBKDF2 iterations", iter, 1, maxPBKDF2Iter)
	if err != nil {
		return "", nil, err
	}
	return "pbkdf2-" + prf, &pbkdf2Hash{prf: pbkdf2PRFs[prf], iter: int(n), salt: salt, sum: sum}, nil
}

func (h *pbkdf2Hash) verify(password string) bool {
	got, err := pbkdf2.Key(h.prf, password, h.salt, h.iter, len(h.sum))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, h.sum) == 1
}
