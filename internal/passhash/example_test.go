package passhash_test

import (
	"fmt"

	"cognate/internal/passhash"
)

func ExampleParse() {
	// A passlib pbkdf2_sha256 hash of "correct horse battery staple".
	h, err := passhash.Parse("$pbkdf2-sha256$29000$KiUEYCxlbG1tTekdI4RQ6g$Gfbc0uh4LSzdjkx0fADVPluXUicJqMpqSHrottPL0Ss")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.Algorithm(), h.Verify("correct horse battery staple"), h.Verify("Tr0ub4dor&3"))

	_, err = passhash.Parse("$argon2id$v=19$m=4194304,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	fmt.Println(err)
	// Output:
	// pbkdf2-sha256 true false
	// passhash: argon2 memory (KiB) 4194304 is over the limit of 262144
}
