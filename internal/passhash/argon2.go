package passhash

import (
	"crypto/subtle"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

type argon2Hash struct {
	id      bool // argon2id; argon2i otherwise
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	sum     []byte
}

// parseArgon2PHC accepts "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>"
// and the same with "$argon2i$". Version 1.0 (no "v=" or "v=16"), argon2d and
// the optional keyid/data parameters are refused: golang.org/x/crypto/argon2
// exports none of them.
func parseArgon2PHC(s string) (string, verifier, error) {
	f := strings.Split(s, "$")
	var id bool
	switch f[1] {
	case "argon2id":
		id = true
	case "argon2i":
	case "argon2d":
		return "", nil, fmt.Errorf("passhash: argon2d is not supported; expected argon2id or argon2i")
	default:
		return "", nil, fmt.Errorf("passhash: unsupported argon2 variant; expected $argon2id$ or $argon2i$")
	}
	if len(f) == 5 && strings.HasPrefix(f[2], "m=") {
		return "", nil, fmt.Errorf("passhash: argon2 version 1.0 (no v= field) is not supported; expected v=19")
	}
	if len(f) != 6 || f[0] != "" {
		return "", nil, fmt.Errorf("passhash: argon2 hash must be $%s$v=19$m=<n>,t=<n>,p=<n>$<salt>$<hash>", f[1])
	}
	if f[2] != "v=19" {
		return "", nil, fmt.Errorf("passhash: argon2 version must be v=19 (1.3)")
	}
	if strings.Contains(f[3], "keyid=") || strings.Contains(f[3], "data=") {
		return "", nil, fmt.Errorf("passhash: argon2 keyid and data parameters are not supported")
	}
	p, err := keyed("argon2", f[3], "m", "t", "p")
	if err != nil {
		return "", nil, err
	}
	salt, sum, err := saltAndSum("argon2", f[4], f[5], minArgon2Salt)
	if err != nil {
		return "", nil, err
	}
	h, err := newArgon2(id, p[0], p[1], p[2], salt, sum)
	if err != nil {
		return "", nil, err
	}
	return h.name(), h, nil
}

// newArgon2 checks argon2 parameters given as decimal strings.
func newArgon2(id bool, m, t, p string, salt, sum []byte) (*argon2Hash, error) {
	threads, err := number("argon2 parallelism", p, 1, maxArgon2Threads)
	if err != nil {
		return nil, err
	}
	time, err := number("argon2 time", t, 1, maxArgon2Time)
	if err != nil {
		return nil, err
	}
	// Argon2 needs at least 8 KiB per lane; below that implementations
	// disagree, so such a hash cannot be trusted to verify.
	memory, err := number("argon2 memory (KiB)", m, 8*threads, maxArgon2Memory)
	if err != nil {
		return nil, err
	}
	return &argon2Hash{id: id, memory: uint32(memory), time: uint32(time), threads: uint8(threads), salt: salt, sum: sum}, nil
}

func (h *argon2Hash) name() string {
	if h.id {
		return "argon2id"
	}
	return "argon2i"
}

func (h *argon2Hash) verify(password string) bool {
	var got []byte
	if h.id {
		got = argon2.IDKey([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.sum)))
	} else {
		got = argon2.Key([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.sum)))
	}
	return subtle.ConstantTimeCompare(got, h.sum) == 1
}
