package passhash

import (
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

type bcryptHash struct {
	encoded []byte
	cost    int
}

// parseBcrypt accepts "$2a$", "$2b$" and "$2y$" hashes, all of which mean
// correct bcrypt in the implementations that write them today. "$2x$"
// (crypt_blowfish's mode for hashes made before its 2011 fix for 8-bit
// characters) and the original "$2$" are refused.
func parseBcrypt(s string) (string, verifier, error) {
	if len(s) < 4 || s[3] != '$' || (s[2] != 'a' && s[2] != 'b' && s[2] != 'y') {
		return "", nil, fmt.Errorf("passhash: unsupported bcrypt variant; expected $2a$, $2b$ or $2y$")
	}
	if len(s) != 60 || s[6] != '$' {
		return "", nil, fmt.Errorf("passhash: bcrypt hash must be $2b$<2-digit cost>$<53 characters>, 60 characters in all")
	}
	cost, err := number("bcrypt cost", s[4:6], uint64(bcrypt.MinCost), maxBcryptCost)
	if err != nil {
		return "", nil, err
	}
	for i := 7; i < len(s); i++ {
		if strings.IndexByte(bcryptAlphabet, s[i]) < 0 {
			return "", nil, fmt.Errorf("passhash: bcrypt salt and hash use characters outside bcrypt's base64 alphabet")
		}
	}
	// The 31 hash characters carry 23 bytes; the last one's two low bits
	// are always zero in real output, and a hash with them set would never
	// match any password.
	if strings.IndexByte(bcryptAlphabet, s[59])&3 != 0 {
		return "", nil, fmt.Errorf("passhash: bcrypt hash has a malformed final character")
	}
	return "bcrypt", &bcryptHash{encoded: []byte(s), cost: int(cost)}, nil
}

// verify uses bcrypt's own comparison, which is constant-time. Like the
// systems these hashes come from, bcrypt reads only the first 72 bytes of
// the password.
func (h *bcryptHash) verify(password string) bool {
	return bcrypt.CompareHashAndPassword(h.encoded, []byte(password)) == nil
}
