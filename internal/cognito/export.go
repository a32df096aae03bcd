package cognito

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"cognate/internal/srp"
	"cognate/internal/store"
)

// exportedVerifierPrefix starts a verifier in an export: the SRP salt and
// verifier with the pool name and username they were computed over, which
// the importing pool needs to check the password at the first sign-in.
const exportedVerifierPrefix = "cognate-srp:"

type exportedVerifier struct {
	Pool     string `json:"pool"`
	User     string `json:"user"`
	Salt     []byte `json:"salt"`
	Verifier []byte `json:"verifier"`
}

func parseExportedVerifier(v string) (credential, error) {
	raw, ok := strings.CutPrefix(v, exportedVerifierPrefix)
	if !ok {
		return credential{}, fmt.Errorf("not a Cognate verifier (it starts with %q)", exportedVerifierPrefix)
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return credential{}, errors.New("not base64url")
	}
	var e exportedVerifier
	if err := json.Unmarshal(b, &e); err != nil || e.Pool == "" || e.User == "" || len(e.Salt) == 0 || len(e.Verifier) == 0 || len(e.Verifier) > 512 {
		return credential{}, errors.New("malformed")
	}
	return credential{Salt: e.Salt, Verifier: e.Verifier, SRPPool: e.Pool, SRPUser: e.User}, nil
}

// ExportUsers writes the pool's users as an import file: the pool's
// header, with sub and groups so that an import elsewhere recreates the
// same users; withPasswords adds each user's verifier (or imported hash),
// so that users move between Cognate instances without a reset. It
// returns how many users it wrote.
func (s *Service) ExportUsers(ctx context.Context, poolID string, w io.Writer, withPasswords bool) (int, error) {
	p, err := s.getPool(ctx, s.store, poolID)
	if err != nil {
		return 0, err
	}
	header := append(p.csvHeader(), "sub", columnGroups)
	if withPasswords {
		header = append(header, columnVerifier, columnPasswordHash)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	n := 0
	page := store.UserPage{Limit: 1000}
	for {
		users, err := s.store.ListUsers(ctx, poolID, store.UserFilter{}, page)
		if err != nil {
			return n, err
		}
		for _, u := range users {
			row, err := s.exportRow(ctx, p, header, u, withPasswords)
			if err != nil {
				return n, err
			}
			if err := cw.Write(row); err != nil {
				return n, err
			}
			n++
		}
		if len(users) < page.Limit {
			break
		}
		page.AfterKey = users[len(users)-1].Key
	}
	cw.Flush()
	return n, cw.Error()
}

func (s *Service) exportRow(ctx context.Context, p *pool, header []string, u store.User, withPasswords bool) ([]string, error) {
	attrs, err := decodeAttributes(u.Attributes)
	if err != nil {
		return nil, err
	}
	settings, err := decodeSettings(u.Settings)
	if err != nil {
		return nil, err
	}
	groups, err := s.store.ListGroupsForUser(ctx, p.rec.ID, u.Key, store.Page{})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	var verifier, hash string
	if withPasswords {
		c, ok, err := s.userCredential(p, u)
		if err != nil {
			return nil, err
		}
		switch {
		case ok && c.Imported != "":
			hash = c.Imported
		case ok:
			pool, user := srp.PoolName(p.rec.ID), u.Username
			if c.SRPPool != "" || c.SRPUser != "" {
				pool, user = c.SRPPool, c.SRPUser
			}
			raw, _ := json.Marshal(exportedVerifier{Pool: pool, User: user, Salt: c.Salt, Verifier: c.Verifier})
			verifier = exportedVerifierPrefix + base64.RawURLEncoding.EncodeToString(raw)
		}
	}
	row := make([]string, len(header))
	for i, col := range header {
		switch col {
		case columnUsername:
			row[i] = u.Username
		case columnMFAEnabled:
			row[i] = fmt.Sprint(len(settings.MFAOptions) > 0)
		case columnGroups:
			row[i] = strings.Join(names, " ")
		case columnVerifier:
			row[i] = verifier
		case columnPasswordHash:
			row[i] = hash
		default:
			row[i] = attrs.get(col)
		}
	}
	return row, nil
}
