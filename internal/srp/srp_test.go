package srp

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"testing"
	"time"

	"cognate/internal/srp/srpclient"
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
	if got := padHex(nil); !bytes.Equal(got, []byte{0}) {
		t.Errorf("padHex() = %x", got)
	}
}

func TestGExp(t *testing.T) {
	limit := new(big.Int).Lsh(big.NewInt(1), fixedBits)
	exps := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(63), big.NewInt(64),
		new(big.Int).Sub(limit, big.NewInt(1)), limit, new(big.Int).Lsh(limit, 700), big.NewInt(-3)}
	for range 50 {
		e, _ := rand.Int(rand.Reader, limit)
		exps = append(exps, e)
	}
	for _, e := range exps {
		if got, want := gExp(e), new(big.Int).Exp(G, e, N); got.Cmp(want) != 0 {
			t.Fatalf("gExp(%x) = %x, want %x", e, got, want)
		}
	}
}

func BenchmarkVerifier(b *testing.B) {
	salt := NewSalt()
	for b.Loop() {
		Verifier("AbCdEf123", "alice", "Passw0rd!", salt)
	}
}

func BenchmarkGExp(b *testing.B) {
	e, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), fixedBits))
	gExp(e)
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			gExp(e)
		}
	})
	b.Run("Exp", func(b *testing.B) {
		for b.Loop() {
			new(big.Int).Exp(G, e, N)
		}
	})
}

// BenchmarkLogin is the server's arithmetic for one USER_SRP_AUTH sign-in:
// B for InitiateAuth, then the check of the client's claim.
func BenchmarkLogin(b *testing.B) {
	const poolID = "us-east-1_Bench"
	cl, err := srpclient.New(poolID)
	if err != nil {
		b.Fatal(err)
	}
	c := exchange(b, cl, poolID, "alice", "Passw0rd!", NewSalt(), []byte("secret block"), time.Now())
	b.Run("NewServerKey", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := NewServerKey(c.Verifier); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CheckClaim", func(b *testing.B) {
		for b.Loop() {
			if ok, err := CheckClaim(c); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("both", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := NewServerKey(c.Verifier); err != nil {
				b.Fatal(err)
			}
			if ok, err := CheckClaim(c); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}
