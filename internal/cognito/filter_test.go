package cognito

import (
	"testing"

	"cognate/internal/store"
)

func TestParseFilter(t *testing.T) {
	ok := []struct {
		in   string
		want store.UserFilter
	}{
		{``, store.UserFilter{}},
		{`email = "a@b.com"`, store.UserFilter{Field: store.FieldEmail, Value: "a@b.com"}},
		{`email^="a"`, store.UserFilter{Field: store.FieldEmail, Value: "a", Prefix: true}},
		{`  family_name  ^=  "O\"Brien"  `, store.UserFilter{Field: store.FieldFamilyName, Value: `O"Brien`, Prefix: true}},
		{`cognito:user_status = "UNCONFIRMED"`, store.UserFilter{Field: store.FieldStatus, Value: "UNCONFIRMED"}},
		{`status = "Disabled"`, store.UserFilter{Field: store.FieldEnabled, Value: "false"}},
		{`username = "a\\b"`, store.UserFilter{Field: store.FieldUsername, Value: `a\b`}},
		{`sub = ""`, store.UserFilter{Field: store.FieldSub, Value: ""}},
	}
	for _, c := range ok {
		got, err := parseFilter(c.in)
		if err != nil || got != c.want {
			t.Errorf("parseFilter(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`email`, `email = a`, `email = "a`, `email == "a"`, `email = "a" x`, `= "a"`, `status ^= "Enabled"`, `status = "maybe"`, `email != "a"`, `custom:x = "1"`} {
		if _, err := parseFilter(bad); err == nil {
			t.Errorf("parseFilter(%q) accepted", bad)
		}
	}
}

// FuzzListUsersFilter: any filter string parses or is refused with an
// InvalidParameterException; a parsed filter names a known field.
func FuzzListUsersFilter(f *testing.F) {
	for _, s := range []string{`email = "a"`, `email ^= "\""`, `status = "Enabled"`, `"`, `x ^= "\`, "username = \"\xff\""} {
		f.Add(s)
	}
	known := map[store.UserField]bool{}
	for _, v := range filterFields {
		known[v] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseFilter(s)
		if err != nil {
			return
		}
		if got.Field != "" && !known[got.Field] {
			t.Fatalf("parseFilter(%q) gave unknown field %q", s, got.Field)
		}
	})
}
