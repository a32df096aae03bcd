package passhash

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// keycloakCredential holds the fields of a Keycloak password credential in
// either export shape: the flat one of Keycloak before 12 ("value" or
// "hashedSaltedValue", "salt", "hashIterations", "algorithm") and the split
// one of Keycloak 12 and later, whose "secretData" and "credentialData" are
// JSON objects encoded as strings.
type keycloakCredential struct {
	Type                 string              `json:"type"`
	Algorithm            string              `json:"algorithm"`
	HashIterations       *int64              `json:"hashIterations"`
	Salt                 string              `json:"salt"`
	Value                string              `json:"value"`
	HashedSaltedValue    string              `json:"hashedSaltedValue"`
	AdditionalParameters map[string][]string `json:"additionalParameters"`
	SecretData           json.RawMessage     `json:"secretData"`
	CredentialData       json.RawMessage     `json:"credentialData"`
}

func parseKeycloak(s string) (string, verifier, error) {
	var c keycloakCredential
	if err := unmarshalObject("Keycloak credential", []byte(s), &c); err != nil {
		return "", nil, err
	}
	if c.Type != "" && c.Type != "password" {
		return "", nil, errors.New(`passhash: Keycloak credential is not of type "password"`)
	}
	if c.SecretData != nil || c.CredentialData != nil {
		if c.SecretData == nil || c.CredentialData == nil {
			return "", nil, errors.New("passhash: Keycloak credential needs both secretData and credentialData")
		}
		var secret, data keycloakCredential
		if err := unmarshalNested("secretData", c.SecretData, &secret); err != nil {
			return "", nil, err
		}
		if err := unmarshalNested("credentialData", c.CredentialData, &data); err != nil {
			return "", nil, err
		}
		c.Salt, c.Value, c.HashedSaltedValue = secret.Salt, secret.Value, secret.HashedSaltedValue
		c.Algorithm, c.HashIterations, c.AdditionalParameters = data.Algorithm, data.HashIterations, data.AdditionalParameters
	}
	value := c.Value
	if c.HashedSaltedValue != "" {
		if value != "" && value != c.HashedSaltedValue {
			return "", nil, errors.New("passhash: Keycloak credential has both value and hashedSaltedValue")
		}
		value = c.HashedSaltedValue
	}
	if c.Algorithm == "" || c.HashIterations == nil || c.Salt == "" || value == "" {
		return "", nil, errors.New("passhash: Keycloak credential needs algorithm, hashIterations, salt and value")
	}
	iter := strconv.FormatInt(*c.HashIterations, 10) // a negative count fails as not decimal
	switch c.Algorithm {
	case "pbkdf2", "pbkdf2-sha256", "pbkdf2-sha512":
		prf := "sha1"
		if c.Algorithm != "pbkdf2" {
			prf = c.Algorithm[len("pbkdf2-"):]
		}
		salt, sum, err := saltAndSum("Keycloak", c.Salt, value, 0)
		if err != nil {
			return "", nil, err
		}
		// Keycloak pads passwords shorter than 14 characters with NULs
		// before PBKDF2. HMAC pads its key with zeros to the block size
		// anyway, so the padding never changes the result and plain PBKDF2
		// verifies these hashes.
		return newPBKDF2(prf, iter, salt, sum)
	case "argon2":
		return keycloakArgon2(c, iter, value)
	default:
		return "", nil, errors.New("passhash: unsupported Keycloak credential algorithm; expected pbkdf2, pbkdf2-sha256, pbkdf2-sha512 or argon2")
	}
}

// keycloakArgon2 reads the additionalParameters of Keycloak's argon2
// provider (Keycloak 24 and later), each a one-element list of strings.
func keycloakArgon2(c keycloakCredential, iter, value string) (string, verifier, error) {
	param := func(k string) string {
		if v := c.AdditionalParameters[k]; len(v) == 1 {
			return v[0]
		}
		return ""
	}
	var id bool
	switch param("type") {
	case "id":
		id = true
	case "i":
	case "d":
		return "", nil, errors.New("passhash: argon2d is not supported; expected argon2id or argon2i")
	default:
		return "", nil, errors.New(`passhash: Keycloak argon2 credential needs additionalParameters type "id" or "i"`)
	}
	if param("version") != "1.3" {
		return "", nil, errors.New(`passhash: Keycloak argon2 credential needs additionalParameters version "1.3"; version 1.0 is not supported`)
	}
	salt, sum, err := saltAndSum("Keycloak argon2", c.Salt, value, minArgon2Salt)
	if err != nil {
		return "", nil, err
	}
	n, err := number("Keycloak argon2 hashLength", param("hashLength"), minSumLen, maxSumLen)
	if err != nil {
		return "", nil, err
	}
	if int(n) != len(sum) {
		return "", nil, errors.New("passhash: Keycloak argon2 hashLength does not match the length of value")
	}
	h, err := newArgon2(id, param("memory"), iter, param("parallelism"), salt, sum)
	if err != nil {
		return "", nil, err
	}
	return h.name(), h, nil
}

func unmarshalObject(what string, b []byte, v any) error {
	err := json.Unmarshal(b, v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Field != "":
		return fmt.Errorf("passhash: %s field %q has the wrong JSON type", what, te.Field)
	default:
		return fmt.Errorf("passhash: %s is not a valid JSON object", what)
	}
}

// unmarshalNested decodes secretData or credentialData, which Keycloak
// writes as a string holding JSON; an object in its place is taken too.
func unmarshalNested(name string, raw json.RawMessage, v any) error {
	what := "Keycloak " + name
	b := bytes.TrimSpace(raw)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("passhash: %s is not a valid JSON string", what)
		}
		b = []byte(s)
	}
	return unmarshalObject(what, b, v)
}
