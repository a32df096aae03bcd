package sqlstore

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"cognate/internal/store"
)

// ListUsers reads one range of one index per page: the primary key
// (pool_id, key) without a filter or on username, else the field's index
// (pool_id, field, key). A page continues after (value, key) with the row
// value comparison (field, key) > (?, ?), which SQLite (≥ 3.15) and
// PostgreSQL both turn into the start of the index range; the spelled-out
// form field > ? OR (field = ? AND key > ?) would start the range at the
// field's value and read again every row with that value that previous
// pages returned. Equality is the range field <= ? from (value, ''), so that
// the planner orders by the field's index: with field = ?, PostgreSQL drops
// the field from ORDER BY, and a generic plan may then walk the primary key
// and filter the whole pool for a rare value.
//
// Key and sub are unique: their index is (pool_id, key) or (pool_id, sub),
// and a page continues after the last value alone.

// filterColumns are the columns ListUsers ranges over, by field.
var filterColumns = map[store.UserField]string{
	store.FieldUsername:          "key",
	store.FieldEmail:             "email",
	store.FieldPhoneNumber:       "phone_number",
	store.FieldName:              "name",
	store.FieldGivenName:         "given_name",
	store.FieldFamilyName:        "family_name",
	store.FieldPreferredUsername: "preferred_username",
	store.FieldStatus:            "status",
	store.FieldEnabled:           "enabled",
	store.FieldSub:               "sub",
}

// upper is how a listing's range ends.
type upper int

const (
	unbounded upper = iota // at the end of the pool
	upTo                   // column <= ?: an equality filter
	below                  // column < ?: a prefix filter
	numUppers
)

// listing is one shape of the ListUsers query.
type listing struct {
	column string
	// inclusive: the range starts at column >= ? rather than after
	// column > ? (on unique columns only: others start after a row value).
	inclusive bool
	upper     upper
}

// unique reports whether a column's values are unique in a pool.
func unique(column string) bool { return column == "key" || column == "sub" }

// numListings counts the listings: each of the len(filterColumns) columns
// with each upper bound, key and sub twice (inclusive or not).
const numListings = (10 + 2) * int(numUppers)

// listingQuery finds a listing's query, from firstListing on.
var listingQuery = map[listing]query{}

func init() {
	var columns []string
	for _, c := range filterColumns {
		columns = append(columns, c)
	}
	slices.Sort(columns)
	i := 0
	add := func(l listing) {
		q := firstListing + query(i)
		listingQuery[l] = q
		sharedSQL[q] = l.sql()
		i++
	}
	for _, c := range columns {
		for u := range numUppers {
			add(listing{column: c, upper: u})
			if unique(c) {
				add(listing{column: c, inclusive: true, upper: u})
			}
		}
	}
	if i != numListings {
		panic(fmt.Sprintf("sqlstore: %d listings, numListings is %d", i, numListings))
	}
}

func (l listing) sql() string {
	var where, order string
	switch {
	case !unique(l.column):
		where = fmt.Sprintf("(%s, key) > (?, ?)", l.column)
		order = l.column + ", key"
	case l.inclusive:
		where, order = l.column+" >= ?", l.column
	default:
		where, order = l.column+" > ?", l.column
	}
	switch l.upper {
	case upTo:
		where += " AND " + l.column + " <= ?"
	case below:
		where += " AND " + l.column + " < ?"
	}
	return "SELECT " + userColumns + " FROM users WHERE pool_id = ? AND " + where + " ORDER BY " + order + " LIMIT ?"
}

// userListing returns the query and arguments of a ListUsers page.
func userListing(poolID string, f store.UserFilter, p store.UserPage) (query, []any, error) {
	lim := limit(store.Page{Limit: p.Limit})
	if f.Field == "" {
		if f.Value != "" || f.Prefix {
			return 0, nil, fmt.Errorf("a filter on no field: %+v", f)
		}
		return listingQuery[listing{column: "key"}], []any{poolID, p.AfterKey, lim}, nil
	}
	column, ok := filterColumns[f.Field]
	if !ok {
		return 0, nil, fmt.Errorf("no listing filters on %q", f.Field)
	}

	// The range's upper end.
	l := listing{column: column, upper: upTo}
	end := f.Value
	if f.Prefix {
		if f.Field == store.FieldEnabled {
			return 0, nil, fmt.Errorf("a prefix filter on %q", f.Field)
		}
		var bounded bool
		end, bounded = prefixEnd(f.Value)
		l.upper = below
		if !bounded {
			l.upper = unbounded
		}
	}

	args := []any{poolID}
	if unique(column) {
		// The range starts at the value, or after the last page's value if
		// that comes later.
		after := p.AfterValue
		if column == "key" {
			after = p.AfterKey
		}
		if after != "" && after >= f.Value {
			args = append(args, after)
		} else {
			l.inclusive = true
			args = append(args, f.Value)
		}
	} else {
		// It starts after (value, ''), or after the last page's (value,
		// key) if that comes later. No user has the key ''.
		value, key := f.Value, ""
		if p.AfterValue > value || (p.AfterValue == value && p.AfterKey > key) {
			value, key = p.AfterValue, p.AfterKey
		}
		if f.Field == store.FieldEnabled {
			v, err := enabledValue(value)
			if err != nil {
				return 0, nil, err
			}
			args = append(args, v, key)
		} else {
			args = append(args, value, key)
		}
	}
	if l.upper != unbounded {
		if f.Field == store.FieldEnabled {
			v, err := enabledValue(end)
			if err != nil {
				return 0, nil, err
			}
			args = append(args, v)
		} else {
			args = append(args, end)
		}
	}
	return listingQuery[l], append(args, lim), nil
}

// enabledValue reads the enabled field's value, "true" or "false", whose
// byte order is the column's order.
func enabledValue(s string) (bool, error) {
	switch s {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("enabled is %q: want true or false", s)
}

// prefixEnd returns the least string that sorts, byte-wise, after every
// string that starts with prefix: prefix with its last character
// incremented, once trailing U+10FFFF are dropped. Between prefix and it lie
// only strings that start with prefix, since UTF-8 orders as code points do
// and no character's encoding begins another's. It returns false when no
// string is greater (prefix is empty or all U+10FFFF). The result is valid
// UTF-8 when prefix is, as PostgreSQL requires of text; an invalid prefix
// gets its last byte below 0xFF incremented.
func prefixEnd(prefix string) (string, bool) {
	if !utf8.ValidString(prefix) {
		b := []byte(prefix)
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] < 0xFF {
				b[i]++
				return string(b[:i+1]), true
			}
		}
		return "", false
	}
	for p := prefix; p != ""; {
		r, size := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-size]
		switch {
		case r == utf8.MaxRune:
			continue
		case r == 0xD7FF: // the surrogates, which UTF-8 cannot encode, come next
			return p + "\uE000", true
		default:
			return p + string(r+1), true
		}
	}
	return "", false
}

// columnsOf counts the columns of a list.
func columnsOf(list string) int { return strings.Count(list, ",") + 1 }
