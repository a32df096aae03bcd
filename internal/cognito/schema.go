package cognito

import (
	"strconv"
	"strings"

	"cognate/internal/api"
)

// maxCustomAttributes is Cognito's limit of custom attributes per pool.
const maxCustomAttributes = 50

// standardAttribute describes one of the OIDC standard attributes every pool has.
type standardAttribute struct {
	name     string
	dataType api.AttributeDataType
	mutable  bool
	required bool
	minLen   string // for String attributes
	maxLen   string
}

// standardAttributes is the schema Cognito gives every new pool, in the order
// DescribeUserPool lists it.
var standardAttributes = []standardAttribute{
	{name: "sub", dataType: api.AttributeDataTypeString, mutable: false, required: true, minLen: "1", maxLen: "2048"},
	{name: "name", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "given_name", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "family_name", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "middle_name", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "nickname", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "preferred_username", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "profile", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "picture", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "website", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "email", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "email_verified", dataType: api.AttributeDataTypeBoolean, mutable: true},
	{name: "gender", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "birthdate", dataType: api.AttributeDataTypeString, mutable: true, minLen: "10", maxLen: "10"},
	{name: "zoneinfo", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "locale", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "phone_number", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "phone_number_verified", dataType: api.AttributeDataTypeBoolean, mutable: true},
	{name: "address", dataType: api.AttributeDataTypeString, mutable: true, minLen: "0", maxLen: "2048"},
	{name: "updated_at", dataType: api.AttributeDataTypeNumber, mutable: true},
}

func (a standardAttribute) schema() api.SchemaAttributeType {
	s := api.SchemaAttributeType{
		Name:                   new(a.name),
		AttributeDataType:      a.dataType,
		DeveloperOnlyAttribute: new(false),
		Mutable:                new(a.mutable),
		Required:               new(a.required),
	}
	switch a.dataType {
	case api.AttributeDataTypeString:
		s.StringAttributeConstraints = &api.StringAttributeConstraintsType{MinLength: new(a.minLen), MaxLength: new(a.maxLen)}
	case api.AttributeDataTypeNumber:
		s.NumberAttributeConstraints = &api.NumberAttributeConstraintsType{MinValue: new("0")}
	}
	return s
}

// buildSchema merges the request's schema into the standard attributes: entries
// naming a standard attribute adjust it, the others become custom attributes.
func buildSchema(requested []api.SchemaAttributeType) ([]api.SchemaAttributeType, error) {
	schema := make([]api.SchemaAttributeType, 0, len(standardAttributes)+len(requested))
	index := map[string]int{}
	for _, a := range standardAttributes {
		index[a.name] = len(schema)
		schema = append(schema, a.schema())
	}
	var custom []api.SchemaAttributeType
	seen := map[string]bool{}
	for _, req := range requested {
		name := api.Value(req.Name)
		if seen[name] {
			return nil, invalidParameter(msgDuplicateAttribute, name)
		}
		seen[name] = true
		if i, ok := index[name]; ok {
			merged, err := adjustStandard(schema[i], req)
			if err != nil {
				return nil, err
			}
			schema[i] = merged
			continue
		}
		custom = append(custom, req)
	}
	return addCustom(schema, custom)
}

// adjustStandard applies a request's settings to a standard attribute.
func adjustStandard(std, req api.SchemaAttributeType) (api.SchemaAttributeType, error) {
	name := api.Value(std.Name)
	if req.AttributeDataType != "" && req.AttributeDataType != std.AttributeDataType {
		return std, invalidParameter("%s is a standard attribute of type %s; its type cannot be changed.", name, std.AttributeDataType)
	}
	if api.Value(req.DeveloperOnlyAttribute) {
		return std, invalidParameter("%s is a standard attribute and cannot be developer-only.", name)
	}
	if name == "sub" {
		if req.Mutable != nil && *req.Mutable || req.Required != nil && !*req.Required {
			return std, invalidParameter("The sub attribute is required and immutable.")
		}
		return std, nil
	}
	if req.Mutable != nil {
		std.Mutable = new(*req.Mutable)
	}
	if req.Required != nil {
		std.Required = new(*req.Required)
	}
	if req.StringAttributeConstraints != nil && std.AttributeDataType == api.AttributeDataTypeString {
		c, err := stringConstraints(name, req.StringAttributeConstraints, std.StringAttributeConstraints)
		if err != nil {
			return std, err
		}
		std.StringAttributeConstraints = c
	}
	if req.NumberAttributeConstraints != nil && std.AttributeDataType == api.AttributeDataTypeNumber {
		c, err := numberConstraints(name, req.NumberAttributeConstraints)
		if err != nil {
			return std, err
		}
		std.NumberAttributeConstraints = c
	}
	return std, nil
}

// addCustom appends custom attributes (named without their "custom:" prefix in
// requests) to schema, enforcing Cognito's rules for them.
func addCustom(schema []api.SchemaAttributeType, custom []api.SchemaAttributeType) ([]api.SchemaAttributeType, error) {
	existing := map[string]bool{}
	count := 0
	for _, a := range schema {
		existing[api.Value(a.Name)] = true
		if isCustomName(api.Value(a.Name)) {
			count++
		}
	}
	for _, req := range custom {
		bare := api.Value(req.Name)
		if bare == "" || strings.HasPrefix(bare, "custom:") || strings.HasPrefix(bare, "dev:") {
			return nil, invalidParameter(msgInvalidCustomAttrName, bare)
		}
		name := "custom:" + bare
		if api.Value(req.DeveloperOnlyAttribute) {
			name = "dev:custom:" + bare
		}
		if existing[name] || existing["custom:"+bare] || existing["dev:custom:"+bare] {
			return nil, invalidParameter(msgDuplicateAttribute, name)
		}
		if api.Value(req.Required) {
			return nil, invalidParameter(msgRequiredCustomAttribute)
		}
		count++
		if count > maxCustomAttributes {
			return nil, invalidParameter(msgTooManyCustomAttributes)
		}
		attr := api.SchemaAttributeType{
			Name:                   new(name),
			AttributeDataType:      req.AttributeDataType,
			DeveloperOnlyAttribute: new(api.Value(req.DeveloperOnlyAttribute)),
			Mutable:                new(req.Mutable == nil || *req.Mutable),
			Required:               new(false),
		}
		if attr.AttributeDataType == "" {
			attr.AttributeDataType = api.AttributeDataTypeString
		}
		var err error
		switch attr.AttributeDataType {
		case api.AttributeDataTypeString:
			if req.StringAttributeConstraints != nil {
				attr.StringAttributeConstraints, err = stringConstraints(name, req.StringAttributeConstraints, nil)
			}
		case api.AttributeDataTypeNumber:
			if req.NumberAttributeConstraints != nil {
				attr.NumberAttributeConstraints, err = numberConstraints(name, req.NumberAttributeConstraints)
			}
		}
		if err != nil {
			return nil, err
		}
		existing[name] = true
		schema = append(schema, attr)
	}
	return schema, nil
}

func isCustomName(name string) bool {
	return strings.HasPrefix(name, "custom:") || strings.HasPrefix(name, "dev:custom:")
}

// stringConstraints checks String length bounds: whole numbers within 0..2048,
// min not above max. Bounds left out keep base's, or none.
func stringConstraints(name string, c, base *api.StringAttributeConstraintsType) (*api.StringAttributeConstraintsType, error) {
	out := &api.StringAttributeConstraintsType{}
	if base != nil {
		*out = *base
	}
	if c.MinLength != nil {
		out.MinLength = new(*c.MinLength)
	}
	if c.MaxLength != nil {
		out.MaxLength = new(*c.MaxLength)
	}
	min, max := int64(0), int64(2048)
	for _, b := range []struct {
		v   *string
		dst *int64
	}{{out.MinLength, &min}, {out.MaxLength, &max}} {
		if b.v == nil {
			continue
		}
		n, err := strconv.ParseInt(*b.v, 10, 64)
		if err != nil || n < 0 || n > 2048 {
			return nil, invalidParameter("The string constraints of %s must be whole numbers between 0 and 2048.", name)
		}
		*b.dst = n
	}
	if min > max {
		return nil, invalidParameter("The minimum length of %s is greater than its maximum length.", name)
	}
	return out, nil
}

// numberConstraints checks Number bounds: integers, min not above max.
func numberConstraints(name string, c *api.NumberAttributeConstraintsType) (*api.NumberAttributeConstraintsType, error) {
	var bounds [2]*int64
	for i, v := range []*string{c.MinValue, c.MaxValue} {
		if v == nil {
			continue
		}
		n, err := strconv.ParseInt(*v, 10, 64)
		if err != nil {
			return nil, invalidParameter("The number constraints of %s must be integers.", name)
		}
		bounds[i] = &n
	}
	if bounds[0] != nil && bounds[1] != nil && *bounds[0] > *bounds[1] {
		return nil, invalidParameter("The minimum value of %s is greater than its maximum value.", name)
	}
	out := *c
	return &out, nil
}
