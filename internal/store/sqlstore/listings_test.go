package sqlstore

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPrefixEnd(t *testing.T) {
	for prefix, want := range map[string]string{
		"a":                     "b",
		"Zo":                    "Zp",
		"Zoë":                   "Zoì",
		"é":                     "ê",
		"a\u007f":               "a\u0080", // one byte to two
		"¿":                     "À",       // U+BF: the byte 0xBF must not become 0xC0
		"名":                     "\u540e",  // U+540D + 1
		"\ud7ff":                "\ue000",  // past the surrogates
		"😀":                     "😁",
		"\uffff":                "\U00010000", // three bytes to four
		"a\U0010ffff":           "b",
		"a\U0010ffff\U0010ffff": "b",
		"x\U0010ffffy":          "x\U0010ffffz",
	} {
		got, ok := prefixEnd(prefix)
		if !ok || got != want {
			t.Errorf("prefixEnd(%q) = %q, %v; want %q", prefix, got, ok, want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("prefixEnd(%q) = %q: not UTF-8", prefix, got)
		}
		// Everything that starts with the prefix sorts before the end.
		for _, s := range []string{prefix, prefix + "\x00", prefix + "\U0010ffff\U0010ffff", prefix + "zzz"} {
			if s >= got {
				t.Errorf("prefixEnd(%q) = %q: %q does not sort before it", prefix, got, s)
			}
		}
	}
	for _, prefix := range []string{"", "\U0010ffff", "\U0010ffff\U0010ffff"} {
		if got, ok := prefixEnd(prefix); ok {
			t.Errorf("prefixEnd(%q) = %q; want none", prefix, got)
		}
	}
	// Invalid UTF-8 (which PostgreSQL would refuse anyway) gets a byte-wise end.
	if got, ok := prefixEnd("a\xff\xff"); !ok || got != "b" {
		t.Errorf(`prefixEnd("a\xff\xff") = %q, %v; want "b"`, got, ok)
	}
	if got, ok := prefixEnd("a\xc3"); !ok || got != "a\xc4" || !strings.HasPrefix(got, "a") {
		t.Errorf(`prefixEnd("a\xc3") = %q, %v; want "a\xc4"`, got, ok)
	}
}
