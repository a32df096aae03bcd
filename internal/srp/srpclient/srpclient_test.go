package srpclient

import (
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestConstants(t *testing.T) {
	// k as amazon-cognito-identity-js computes it.
	if got := bigK.Text(16); got != "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6" {
		t.Errorf("k = %s", got)
	}
	if bigN.BitLen() != 3072 || !bigN.ProbablyPrime(4) {
		t.Error("N is not the 3072-bit prime")
	}
}

func TestPadHex(t *testing.T) {
	for n, want := range map[int64]string{0: "00", 1: "01", 0x7f: "7f", 0x80: "0080", 0xabc: "0abc", 0x8abc: "008abc", 0x100: "0100"} {
		if got := padHex(big.NewInt(n)); got != want {
			t.Errorf("padHex(%#x) = %q, want %q", n, got, want)
		}
	}
}

func TestNowString(t *testing.T) {
	for at, want := range map[time.Time]string{
		time.Date(2026, 12, 1, 20, 5, 9, 0, time.UTC):                         "Tue Dec 1 20:05:09 UTC 2026",
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC):                          "Thu Feb 29 00:00:00 UTC 2024",
		time.Date(2025, 1, 1, 1, 2, 3, 0, time.FixedZone("east", 5*3600)):     "Tue Dec 31 20:02:03 UTC 2024",
		time.Date(2025, 7, 6, 23, 59, 59, 999, time.FixedZone("west", -3600)): "Mon Jul 7 00:59:59 UTC 2025",
	} {
		if got := nowString(at); got != want {
			t.Errorf("nowString(%v) = %q, want %q", at, got, want)
		}
	}
}

func TestNew(t *testing.T) {
	c1, err := New("us-east-1_abc")
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := New("us-east-1_abc")
	if c1.A() == c2.A() || c1.a.BitLen() < 1000 {
		t.Error("a is not fresh 128-byte randomness")
	}
	if c1.poolName != "abc" || c1.A() != strings.ToLower(c1.A()) || strings.HasPrefix(c1.A(), "0") {
		t.Errorf("pool name %q, A %q", c1.poolName, c1.A())
	}
	if new(big.Int).Exp(big.NewInt(2), c1.a, bigN).Cmp(c1.bigA) != 0 {
		t.Error("A is not g^a")
	}
	for _, id := range []string{"", "abc", "us-east-1_"} {
		if _, err := New(id); err == nil {
			t.Errorf("New(%q) succeeds", id)
		}
	}
	if _, err := NewWithSecret("us-east-1_abc", nil); err != nil {
		t.Errorf("a = 0: %v", err) // A = 1, which the JS client also accepts
	}
}

func TestRespondRefuses(t *testing.T) {
	c, err := New("us-east-1_abc")
	if err != nil {
		t.Fatal(err)
	}
	n := bigN.Text(16)
	twoN := new(big.Int).Lsh(bigN, 1).Text(16)
	for _, tc := range []struct{ name, salt, b, block string }{
		{"B = 0", "01", "0", ""},
		{"B = N", "01", n, ""},
		{"B = 2N", "01", twoN, ""},
		{"B not hex", "01", "xyz", ""},
		{"B empty", "01", "", ""},
		{"B negative", "01", "-5", ""},
		{"salt not hex", "0x1", "5", ""},
		{"secret block not base64", "01", "5", "not base64!"},
	} {
		if _, _, err := c.Respond("u", "p", tc.salt, tc.b, tc.block, time.Now()); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	ts, sig, err := c.Respond("u", "p", "01", "5", "", time.Now())
	if err != nil || ts == "" || len(sig) != 44 {
		t.Errorf("Respond = %q, %q, %v", ts, sig, err)
	}
}
