package cognito

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cognate/internal/api"
	"cognate/internal/store"
)

// attributes are a user's attributes in the order they were first set, as
// AdminGetUser lists them.
type attributes []api.AttributeType

func decodeAttributes(raw []byte) (attributes, error) {
	var a attributes
	if len(raw) == 0 {
		return a, nil
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("decode attributes: %w", err)
	}
	return a, nil
}

func (a attributes) encode() []byte {
	raw, _ := json.Marshal(a)
	return raw
}

func (a attributes) get(name string) string {
	for _, attr := range a {
		if api.Value(attr.Name) == name {
			return api.Value(attr.Value)
		}
	}
	return ""
}

func (a attributes) has(name string) bool {
	for _, attr := range a {
		if api.Value(attr.Name) == name {
			return true
		}
	}
	return false
}

func (a *attributes) set(name, value string) {
	for i, attr := range *a {
		if api.Value(attr.Name) == name {
			(*a)[i].Value = new(value)
			return
		}
	}
	*a = append(*a, api.AttributeType{Name: new(name), Value: new(value)})
}

func (a *attributes) remove(name string) {
	out := (*a)[:0]
	for _, attr := range *a {
		if api.Value(attr.Name) != name {
			out = append(out, attr)
		}
	}
	*a = out
}

// only returns the attributes named in names (all when names is nil).
func (a attributes) only(names []string) attributes {
	if names == nil {
		return a
	}
	out := attributes{}
	for _, attr := range a {
		if contains(names, api.Value(attr.Name)) {
			out = append(out, attr)
		}
	}
	return out
}

// setFilterable copies into the record the attributes ListUsers filters on.
func setFilterable(u *store.User, a attributes) {
	u.Email = a.get("email")
	u.PhoneNumber = a.get("phone_number")
	u.Name = a.get("name")
	u.GivenName = a.get("given_name")
	u.FamilyName = a.get("family_name")
	u.PreferredUsername = a.get("preferred_username")
}

// schemaAttribute returns the pool's definition of an attribute.
func (p *pool) schemaAttribute(name string) (api.SchemaAttributeType, bool) {
	for _, a := range p.doc.Pool.SchemaAttributes {
		if api.Value(a.Name) == name {
			return a, true
		}
	}
	return api.SchemaAttributeType{}, false
}

// checkAttributeValues checks attributes a request sets against the pool's
// schema: known names, values of the right type and size. admin allows
// developer-only attributes, which only administrators may write.
func (p *pool) checkAttributeValues(in []api.AttributeType, admin bool) error {
	seen := map[string]bool{}
	for _, attr := range in {
		name, value := api.Value(attr.Name), api.Value(attr.Value)
		if seen[name] {
			return invalidParameter(msgDuplicateAttributeInRequest, name)
		}
		seen[name] = true
		def, ok := p.schemaAttribute(name)
		if !ok || strings.HasPrefix(name, "dev:") && !admin {
			return invalidParameter(msgAttributeNotInSchema, name)
		}
		if name == "sub" {
			return invalidParameter(msgCannotModifyAttribute, name)
		}
		if err := checkAttributeValue(name, value, def); err != nil {
			return err
		}
	}
	return nil
}

func checkAttributeValue(name, value string, def api.SchemaAttributeType) error {
	switch def.AttributeDataType {
	case api.AttributeDataTypeNumber:
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return invalidParameter(msgAttributeNotNumber, name)
		}
		if c := def.NumberAttributeConstraints; c != nil {
			if min, err := strconv.ParseFloat(api.Value(c.MinValue), 64); err == nil && n < min {
				return invalidParameter(msgAttributeNumberRange, name)
			}
			if max, err := strconv.ParseFloat(api.Value(c.MaxValue), 64); err == nil && n > max {
				return invalidParameter(msgAttributeNumberRange, name)
			}
		}
	case api.AttributeDataTypeBoolean:
		if value != "true" && value != "false" {
			return invalidParameter(msgAttributeNotBoolean, name)
		}
	case api.AttributeDataTypeDatetime:
		if _, err := time.Parse(time.RFC3339, value); err != nil {
			if _, err := strconv.ParseInt(value, 10, 64); err != nil {
				return invalidParameter(msgAttributeNotDatetime, name)
			}
		}
	default:
		n := int64(utf8.RuneCountInString(value))
		if c := def.StringAttributeConstraints; c != nil {
			if max, err := strconv.ParseInt(api.Value(c.MaxLength), 10, 64); err == nil && n > max {
				return invalidParameter(msgAttributeTooLong, name, max)
			}
			if min, err := strconv.ParseInt(api.Value(c.MinLength), 10, 64); err == nil && n < min && value != "" {
				return invalidParameter(msgAttributeTooShort, name, min)
			}
		}
	}
	switch name {
	case "email":
		if !emailPattern.MatchString(value) {
			return invalidParameter(msgInvalidEmail)
		}
	case "phone_number":
		if !phonePattern.MatchString(value) {
			return invalidParameter(msgInvalidPhone)
		}
	}
	return nil
}

// checkRequired refuses a user that lacks an attribute the schema requires.
func (p *pool) checkRequired(a attributes) error {
	for _, def := range p.doc.Pool.SchemaAttributes {
		name := api.Value(def.Name)
		if api.Value(def.Required) && name != "sub" && a.get(name) == "" {
			return invalidParameter(msgRequiredAttribute, name)
		}
	}
	return nil
}
