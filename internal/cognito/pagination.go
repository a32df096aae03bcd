package cognito

import (
	"encoding/base64"

	"cognate/internal/store"
)

// Pagination tokens are the last key of a page, opaque to clients. Pages are
// ordered by key, so a token stays valid while rows are added or removed, and
// no row that existed when listing began is skipped or repeated.

func encodeToken(lastKey string) *string {
	t := base64.RawURLEncoding.EncodeToString([]byte(lastKey))
	return &t
}

func decodeToken(token *string) (string, error) {
	if token == nil {
		return "", nil
	}
	key, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil || len(key) == 0 {
		return "", invalidParameter(msgInvalidPaginationToken)
	}
	return string(key), nil
}

// listPage asks the store for one more row than the page holds, so that the
// last page carries no token.
func listPage[T any](token *string, limit int, key func(T) string, list func(store.Page) ([]T, error)) (rows []T, next *string, err error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, nil, err
	}
	rows, err = list(store.Page{After: after, Limit: limit + 1})
	if err != nil {
		return nil, nil, err
	}
	if len(rows) > limit {
		rows = rows[:limit]
		next = encodeToken(key(rows[limit-1]))
	}
	return rows, next, nil
}
