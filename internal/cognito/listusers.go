package cognito

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"cognate/internal/api"
	"cognate/internal/store"
)

// defaultListLimit is the page size when a request names none: the most the
// model allows.
const defaultListLimit = 60

// userCursor is what a ListUsers pagination token holds: where the last page
// ended in the (field value, key) order the store lists in.
type userCursor struct {
	Value string `json:"v"`
	Key   string `json:"k"`
}

func (c userCursor) token() *string {
	raw, _ := json.Marshal(c)
	return new(base64.RawURLEncoding.EncodeToString(raw))
}

func parseUserCursor(token *string) (userCursor, error) {
	var c userCursor
	if token == nil {
		return c, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil || json.Unmarshal(raw, &c) != nil || c.Key == "" {
		return c, invalidParameter(msgInvalidPaginationToken)
	}
	return c, nil
}

// fieldValue is a user's value of the field a listing is ordered by.
func fieldValue(u store.User, f store.UserField) string {
	switch f {
	case store.FieldUsername:
		return u.Key
	case store.FieldEmail:
		return u.Email
	case store.FieldPhoneNumber:
		return u.PhoneNumber
	case store.FieldName:
		return u.Name
	case store.FieldGivenName:
		return u.GivenName
	case store.FieldFamilyName:
		return u.FamilyName
	case store.FieldPreferredUsername:
		return u.PreferredUsername
	case store.FieldStatus:
		return u.Status
	case store.FieldSub:
		return u.Sub
	case store.FieldEnabled:
		if u.Enabled {
			return "true"
		}
		return "false"
	}
	return ""
}

func (s *Service) ListUsers(ctx context.Context, in *api.ListUsersInput) (*api.ListUsersOutput, error) {
	p, err := s.getPool(ctx, s.store, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	filter, err := parseFilter(api.Value(in.Filter))
	if err != nil {
		return nil, err
	}
	if filter.Field == store.FieldUsername {
		filter.Value = p.nameKey(filter.Value)
	}
	for _, name := range in.AttributesToGet {
		if _, ok := p.schemaAttribute(name); !ok {
			return nil, invalidParameter(msgInvalidAttributesToGet)
		}
	}
	cursor, err := parseUserCursor(in.PaginationToken)
	if err != nil {
		return nil, err
	}
	limit := defaultListLimit
	if in.Limit != nil && *in.Limit > 0 {
		limit = int(*in.Limit)
	}
	rows, err := s.store.ListUsers(ctx, p.rec.ID, filter, store.UserPage{AfterValue: cursor.Value, AfterKey: cursor.Key, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	out := &api.ListUsersOutput{Users: []api.UserType{}}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		out.PaginationToken = userCursor{Value: fieldValue(last, filter.Field), Key: last.Key}.token()
	}
	for _, u := range rows {
		t, err := userType(u, in.AttributesToGet)
		if err != nil {
			return nil, err
		}
		out.Users = append(out.Users, t)
	}
	return out, nil
}
