package cognito

import (
	"strings"

	"cognate/internal/store"
)

// filterFields maps the attributes ListUsers can filter on to store fields.
var filterFields = map[string]store.UserField{
	"username":            store.FieldUsername,
	"email":               store.FieldEmail,
	"phone_number":        store.FieldPhoneNumber,
	"name":                store.FieldName,
	"given_name":          store.FieldGivenName,
	"family_name":         store.FieldFamilyName,
	"preferred_username":  store.FieldPreferredUsername,
	"cognito:user_status": store.FieldStatus,
	"status":              store.FieldEnabled,
	"sub":                 store.FieldSub,
}

// parseFilter parses ListUsers' Filter: `attribute = "value"` or
// `attribute ^= "value"`, spaces optional around the operator, backslash
// escaping a quote or a backslash inside the value. An empty filter selects
// every user.
func parseFilter(s string) (store.UserFilter, error) {
	if strings.TrimSpace(s) == "" {
		return store.UserFilter{}, nil
	}
	fail := invalidParameter(msgInvalidFilter)
	rest := strings.TrimLeft(s, " ")
	i := strings.IndexAny(rest, " ^=")
	if i <= 0 {
		return store.UserFilter{}, fail
	}
	attr := rest[:i]
	rest = strings.TrimLeft(rest[i:], " ")
	var f store.UserFilter
	switch {
	case strings.HasPrefix(rest, "^="):
		f.Prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return f, fail
	}
	rest = strings.TrimLeft(rest, " ")
	if !strings.HasPrefix(rest, `"`) {
		return f, fail
	}
	var value strings.Builder
	closed := false
	j := 1
	for ; j < len(rest); j++ {
		c := rest[j]
		if c == '\\' && j+1 < len(rest) {
			j++
			value.WriteByte(rest[j])
			continue
		}
		if c == '"' {
			closed = true
			break
		}
		value.WriteByte(c)
	}
	if !closed || strings.TrimSpace(rest[j+1:]) != "" {
		return f, fail
	}
	field, ok := filterFields[attr]
	if !ok {
		return f, invalidParameter(msgInvalidFilterAttribute, attr)
	}
	f.Field, f.Value = field, value.String()
	if field == store.FieldEnabled {
		switch {
		case f.Prefix:
			return f, fail
		case strings.EqualFold(f.Value, "Enabled"):
			f.Value = "true"
		case strings.EqualFold(f.Value, "Disabled"):
			f.Value = "false"
		default:
			return f, fail
		}
	}
	return f, nil
}
