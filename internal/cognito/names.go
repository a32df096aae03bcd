package cognito

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"cognate/internal/api"
	"cognate/internal/store"
)

var (
	emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	phonePattern = regexp.MustCompile(`^\+[0-9]{4,15}$`)
)

// caseInsensitive reports whether the pool compares usernames (and sign-in
// names) without regard to case. Cognito's API default is case-sensitive.
func (p *pool) caseInsensitive() bool {
	c := p.doc.Pool.UsernameConfiguration
	return c != nil && c.CaseSensitive != nil && !*c.CaseSensitive
}

// nameKey is how the pool compares a username or a sign-in name.
func (p *pool) nameKey(name string) string {
	if p.caseInsensitive() {
		return strings.ToLower(name)
	}
	return name
}

// signsInWith reports whether attr (email, phone_number) is a username
// attribute of the pool: the user signs in with it and the stored username is
// the sub.
func (p *pool) signsInWith(attr string) bool {
	return contains(p.doc.Pool.UsernameAttributes, api.UsernameAttributeType(attr))
}

func (p *pool) hasAlias(attr string) bool {
	return contains(p.doc.Pool.AliasAttributes, api.AliasAttributeType(attr))
}

// signInNames are the names besides the username that resolve to the user: in
// pools with username attributes, the email and phone number; in pools with
// aliases, the verified email and phone number and the preferred username.
func (p *pool) signInNames(userKey string, attrs attributes) []store.SignInName {
	var names []store.SignInName
	add := func(kind, value string) {
		if value != "" {
			names = append(names, store.SignInName{PoolID: p.rec.ID, Name: p.nameKey(value), UserKey: userKey, Kind: kind})
		}
	}
	for _, attr := range []string{"email", "phone_number"} {
		switch {
		case p.signsInWith(attr):
			add(attr, attrs.get(attr))
		case p.hasAlias(attr) && attrs.get(attr+"_verified") == "true":
			add(attr, attrs.get(attr))
		}
	}
	if p.hasAlias("preferred_username") {
		add("preferred_username", attrs.get("preferred_username"))
	}
	return names
}

// findUser resolves any name a user may be addressed by — the username, or a
// sign-in name — to the user. Each step is one indexed lookup.
func (s *Service) findUser(ctx context.Context, r store.Reader, p *pool, name string) (store.User, error) {
	u, err := r.GetUser(ctx, p.rec.ID, p.nameKey(name))
	if errors.Is(err, store.ErrNotFound) {
		u, err = r.FindUserBySignInName(ctx, p.rec.ID, p.nameKey(name))
	}
	if errors.Is(err, store.ErrNotFound) {
		return u, &api.UserNotFoundException{Message: msgUserNotFound}
	}
	return u, err
}

// claimNames gives a user its sign-in names. A name another user holds is an
// AliasExistsException (UsernameExistsException in pools that sign in by
// email or phone), unless force moves it, as ForceAliasCreation does.
func (s *Service) claimNames(ctx context.Context, tx store.Tx, p *pool, userKey string, names []store.SignInName, force bool) error {
	for _, n := range names {
		holder, err := tx.FindUserBySignInName(ctx, p.rec.ID, n.Name)
		if errors.Is(err, store.ErrNotFound) || err == nil && holder.Key == userKey {
			continue
		}
		if err != nil {
			return err
		}
		if p.signsInWith(n.Kind) {
			return &api.UsernameExistsException{Message: fmt.Sprintf(msgAttributeInUse, attributeNoun(n.Kind))}
		}
		if !force {
			return &api.AliasExistsException{Message: fmt.Sprintf(msgAttributeInUse, attributeNoun(n.Kind))}
		}
		if err := s.dropAlias(ctx, tx, p, holder, n.Kind); err != nil {
			return err
		}
	}
	err := tx.SetSignInNames(ctx, p.rec.ID, userKey, names)
	if errors.Is(err, store.ErrConflict) {
		return &api.AliasExistsException{Message: msgAliasTaken}
	}
	return err
}

// dropAlias takes an alias away from the user who held it: its verified flag
// is cleared, as Cognito does when ForceAliasCreation moves it.
func (s *Service) dropAlias(ctx context.Context, tx store.Tx, p *pool, holder store.User, kind string) error {
	attrs, err := decodeAttributes(holder.Attributes)
	if err != nil {
		return err
	}
	if kind == "preferred_username" {
		attrs.remove("preferred_username")
	} else {
		attrs.set(kind+"_verified", "false")
	}
	holder.Attributes = attrs.encode()
	holder.UpdatedAt = s.now()
	setFilterable(&holder, attrs)
	if err := tx.UpdateUser(ctx, holder); err != nil {
		return err
	}
	return tx.SetSignInNames(ctx, p.rec.ID, holder.Key, p.signInNames(holder.Key, attrs))
}

func attributeNoun(kind string) string {
	switch kind {
	case "phone_number":
		return "phone_number"
	case "preferred_username":
		return "preferred_username"
	}
	return "email"
}
