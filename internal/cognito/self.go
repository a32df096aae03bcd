package cognito

import (
	"context"
	"encoding/json"
	"fmt"

	"cognate/internal/api"
	"cognate/internal/store"
)

// The operations a user calls with an access token.

func (s *Service) GetUser(ctx context.Context, in *api.GetUserInput) (*api.GetUserOutput, error) {
	_, u, err := s.authenticate(ctx, s.store, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	t, err := userType(u, nil)
	if err != nil {
		return nil, err
	}
	return &api.GetUserOutput{Username: t.Username, UserAttributes: t.Attributes, MFAOptions: t.MFAOptions}, nil
}

// ChangePassword replaces the password after checking the current one. As in
// Cognito, the user's tokens stay valid.
func (s *Service) ChangePassword(ctx context.Context, in *api.ChangePasswordInput) (*api.ChangePasswordOutput, error) {
	p, u, err := s.authenticate(ctx, s.store, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.checkCanSignIn(u); err != nil {
		return nil, err
	}
	ok, _, err := s.passwordMatches(p, u, api.Value(in.PreviousPassword))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.recordFailure(ctx, p, u.Key, "")
	}
	if err := p.checkPassword(*in.ProposedPassword); err != nil {
		return nil, err
	}
	err = s.changeUser(ctx, p.rec.ID, u.Username, func(_ store.Tx, p *pool, fresh *store.User, _ *attributes) error {
		if fresh.Sub != u.Sub {
			return &api.NotAuthorizedException{Message: msgAccessTokenRevoked}
		}
		return s.setPassword(p, fresh, *in.ProposedPassword, false)
	})
	if err != nil {
		return nil, err
	}
	return &api.ChangePasswordOutput{}, nil
}

// SetUserSettings sets the user's legacy SMS MFA options.
func (s *Service) SetUserSettings(ctx context.Context, in *api.SetUserSettingsInput) (*api.SetUserSettingsOutput, error) {
	p, u, err := s.authenticate(ctx, s.store, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if _, err := s.AdminSetUserSettings(ctx, &api.AdminSetUserSettingsInput{UserPoolId: &p.rec.ID, Username: &u.Username, MFAOptions: in.MFAOptions}); err != nil {
		return nil, err
	}
	return &api.SetUserSettingsOutput{}, nil
}

// defaultListAuthEvents is the page size of AdminListUserAuthEvents when the
// request names none.
const defaultListAuthEvents = 60

// AdminListUserAuthEvents lists a user's sign-in events, newest first. As in
// Cognito, it needs the pool's threat protection (UserPoolAddOns) on.
func (s *Service) AdminListUserAuthEvents(ctx context.Context, in *api.AdminListUserAuthEventsInput) (*api.AdminListUserAuthEventsOutput, error) {
	p, u, err := s.poolUser(ctx, s.store, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if !p.threatProtection() {
		return nil, &api.UserPoolAddOnNotEnabledException{Message: msgAddOnNotEnabled}
	}
	limit := defaultListAuthEvents
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	events, next, err := listPage(in.NextToken, limit, func(e store.AuthEvent) string { return e.ID },
		func(page store.Page) ([]store.AuthEvent, error) {
			return s.store.ListAuthEvents(ctx, p.rec.ID, u.Key, page)
		})
	if err != nil {
		return nil, err
	}
	out := &api.AdminListUserAuthEventsOutput{AuthEvents: []api.AuthEventType{}, NextToken: next}
	for _, e := range events {
		var doc api.AuthEventType
		if err := json.Unmarshal(e.Data, &doc); err != nil {
			return nil, fmt.Errorf("auth event %s: %w", e.ID, err)
		}
		doc.EventId = new(eventUUID(e.ID))
		doc.CreationDate = api.Time(e.CreatedAt)
		out.AuthEvents = append(out.AuthEvents, doc)
	}
	return out, nil
}

// eventUUID is the event's own ID, after the time its store ID starts with.
func eventUUID(id string) string {
	if i := len(id) - 36; i > 0 {
		return id[i:]
	}
	return id
}
