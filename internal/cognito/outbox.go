package cognito

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"

	"github.com/google/uuid"

	"cognate/internal/api"
	"cognate/internal/store"
)

// Cognito's messages when the pool has no template of its own.
const (
	defaultInviteSubject = "Your temporary password"
	defaultInviteMessage = "Your username is {username} and temporary password is {####}."
	defaultCodeSubject   = "Your verification code"
	defaultCodeMessage   = "Your verification code is {####}."
)

// newCode returns a random six-digit code.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// render fills a template's placeholders.
func render(template, username, code string) string {
	return strings.NewReplacer("{username}", username, "{####}", code).Replace(template)
}

func or(s *string, def string) string {
	if s == nil || *s == "" {
		return def
	}
	return *s
}

// delivery is one message about to enter the outbox.
type delivery struct {
	kind, medium, destination, subject, body, code string
}

// enqueue writes messages to the outbox in the caller's transaction, so a
// message exists exactly when the change that caused it does.
func (s *Service) enqueue(ctx context.Context, tx store.Tx, poolID, userKey string, ds []delivery) error {
	for _, d := range ds {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		now := s.now()
		err = tx.EnqueueMessage(ctx, store.Message{
			ID: id.String(), PoolID: poolID, UserKey: userKey, CreatedAt: now,
			Kind: d.kind, Medium: d.medium, Destination: d.destination,
			Subject: d.subject, Body: d.body, Code: d.code,
			Status: "pending", NextAttempt: now,
		})
		if err != nil {
			return fmt.Errorf("enqueue %s message: %w", d.kind, err)
		}
	}
	return nil
}

// invitations renders the invitation to each medium the user can receive it on.
func (p *pool) invitations(username, password string, attrs attributes, mediums []api.DeliveryMediumType) []delivery {
	t := p.doc.Pool.AdminCreateUserConfig.InviteMessageTemplate
	if t == nil {
		t = &api.MessageTemplateType{}
	}
	if len(mediums) == 0 {
		mediums = []api.DeliveryMediumType{api.DeliveryMediumTypeSms}
	}
	var out []delivery
	for _, m := range mediums {
		switch {
		case m == api.DeliveryMediumTypeEmail && attrs.get("email") != "":
			out = append(out, delivery{kind: "invitation", medium: "EMAIL", destination: attrs.get("email"),
				subject: or(t.EmailSubject, defaultInviteSubject), body: render(or(t.EmailMessage, defaultInviteMessage), username, password), code: password})
		case m == api.DeliveryMediumTypeSms && attrs.get("phone_number") != "":
			out = append(out, delivery{kind: "invitation", medium: "SMS", destination: attrs.get("phone_number"),
				body: render(or(t.SMSMessage, defaultInviteMessage), username, password), code: password})
		}
	}
	return out
}

// codeMessage renders a verification-style code to the medium of attr
// ("email" or "phone_number").
func (p *pool) codeMessage(kind, attr, destination, username, code string) delivery {
	t := p.doc.Pool.VerificationMessageTemplate
	if attr == "phone_number" {
		return delivery{kind: kind, medium: "SMS", destination: destination, body: render(or(t.SmsMessage, defaultCodeMessage), username, code), code: code}
	}
	return delivery{kind: kind, medium: "EMAIL", destination: destination, subject: or(t.EmailSubject, defaultCodeSubject),
		body: render(or(t.EmailMessage, defaultCodeMessage), username, code), code: code}
}

// maskDestination hides most of an address as Cognito's CodeDeliveryDetails do:
// a***@e*** for email, +*******1234 for phone numbers.
func maskDestination(medium, dest string) string {
	if medium == "EMAIL" {
		local, domain, ok := strings.Cut(dest, "@")
		if !ok || local == "" || domain == "" {
			return "***"
		}
		return local[:1] + "***@" + domain[:1] + "***"
	}
	if len(dest) <= 4 {
		return strings.Repeat("*", len(dest))
	}
	head := ""
	if strings.HasPrefix(dest, "+") {
		head, dest = "+", dest[1:]
	}
	return head + strings.Repeat("*", len(dest)-4) + dest[len(dest)-4:]
}

func codeDeliveryDetails(d delivery, attr string) *api.CodeDeliveryDetailsType {
	return &api.CodeDeliveryDetailsType{
		Destination:    new(maskDestination(d.medium, d.destination)),
		DeliveryMedium: api.DeliveryMediumType(d.medium),
		AttributeName:  new(attr),
	}
}

// OutboxMessage is a message as the outbox endpoint shows it to developers and
// tests.
type OutboxMessage struct {
	ID             string         `json:"Id"`
	CreatedAt      *api.Timestamp `json:"CreatedAt"`
	Kind           string         `json:"Kind"`
	DeliveryMedium string         `json:"DeliveryMedium"`
	Destination    string         `json:"Destination"`
	Subject        string         `json:"Subject,omitempty"`
	Body           string         `json:"Body"`
	Code           string         `json:"Code,omitempty"`
	Status         string         `json:"Status"`
	Attempts       int            `json:"Attempts"`
	LastError      string         `json:"LastError,omitempty"`
}

// Messages returns the outbox messages to a user, newest first. The user may
// be named by any sign-in name; messages to a deleted user are found by the
// name it had.
func (s *Service) Messages(ctx context.Context, poolID, username string, limit int) ([]OutboxMessage, error) {
	p, err := s.getPool(ctx, s.store, poolID)
	if err != nil {
		return nil, err
	}
	key := p.nameKey(username)
	if u, err := s.findUser(ctx, s.store, p, username); err == nil {
		key = u.Key
	}
	rows, err := s.store.ListMessages(ctx, poolID, key, limit)
	if err != nil {
		return nil, err
	}
	out := make([]OutboxMessage, 0, len(rows))
	for _, m := range rows {
		out = append(out, OutboxMessage{ID: m.ID, CreatedAt: api.Time(m.CreatedAt), Kind: m.Kind, DeliveryMedium: m.Medium,
			Destination: m.Destination, Subject: m.Subject, Body: m.Body, Code: m.Code, Status: m.Status,
			Attempts: m.Attempts, LastError: m.LastError})
	}
	return out, nil
}
