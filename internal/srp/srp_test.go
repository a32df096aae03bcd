package srp

import (
	"bytes"
	"testing"
)

func TestVerifier(t *testing.T) {
	salt := []byte{0x8a, 0x01, 0x02}
	v := Verifier("abc123", "alice", "Passw0rd!", salt)
	if !CheckPassword("abc123", "alice", "Passw0rd!", salt, v) {
		t.Fatal("the password does not check against its own verifier")
	}
	for _, wrong := range [][3]string{{"abc123", "alice", "passw0rd!"}, {"abc123", "bob", "Passw0rd!"}, {"other", "alice", "Passw0rd!"}} {
		if CheckPassword(wrong[0], wrong[1], wrong[2], salt, v) {
			t.Errorf("%v checks", wrong)
		}
	}
	if bytes.Equal(v, Verifier("abc123", "alice", "Passw0rd!", []byte{1})) {
		t.Error("the salt does not change the verifier")
	}
	if N.BitLen() != 3072 || !N.ProbablyPrime(10) {
		t.Error("N is not the 3072-bit prime")
	}
	if PoolName("us-east-1_AbCdEf123") != "AbCdEf123" {
		t.Error("PoolName")
	}
}

func TestPadHex(t *testing.T) {
	if got := padHex([]byte{0, 0x80}); !bytes.Equal(got, []byte{0, 0x80}) {
		t.Errorf("padHex(00 80) = %x", got)
	}
	if got := padHex([]byte{0, 0, 0x7f}); !bytes.Equal(got, []byte{0x7f}) {
		t.Errorf("padHex(00 00 7f) = %x", got)
	}
}
