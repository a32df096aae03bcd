package cognito

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
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
	defaultLinkSubject   = "Your verification link"
	defaultLinkMessage   = "Please click the link below to verify your email address. {##Verify Email##}"
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
	from, replyTo                                  string
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
			Subject: d.subject, Body: d.body, Code: d.code, From: d.from, ReplyTo: d.replyTo,
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
			d := delivery{kind: "invitation", medium: "EMAIL", destination: attrs.get("email"),
				subject: or(t.EmailSubject, defaultInviteSubject), body: render(or(t.EmailMessage, defaultInviteMessage), username, password), code: password}
			d.from, d.replyTo = p.emailEnvelope()
			out = append(out, d)
		case m == api.DeliveryMediumTypeSms && attrs.get("phone_number") != "":
			out = append(out, delivery{kind: "invitation", medium: "SMS", destination: attrs.get("phone_number"),
				body: render(or(t.SMSMessage, defaultInviteMessage), username, password), code: password})
		}
	}
	return out
}

// emailEnvelope is the From and Reply-To of the pool's email configuration.
func (p *pool) emailEnvelope() (from, replyTo string) {
	if c := p.doc.Pool.EmailConfiguration; c != nil {
		return api.Value(c.From), api.Value(c.ReplyToEmailAddress)
	}
	return "", ""
}

// codeMessage renders a code to the medium of attr ("email" or
// "phone_number"). A sign-up confirmation by email follows the pool's
// DefaultEmailOption: with CONFIRM_WITH_LINK the message carries link, the
// URL that confirms the user, in place of the code.
func (p *pool) codeMessage(kind, attr, destination, username, code, link string) delivery {
	t := p.doc.Pool.VerificationMessageTemplate
	if t == nil {
		t = &api.VerificationMessageTemplateType{}
	}
	if attr == "phone_number" {
		return delivery{kind: kind, medium: "SMS", destination: destination, body: render(or(t.SmsMessage, defaultCodeMessage), username, code), code: code}
	}
	d := delivery{kind: kind, medium: "EMAIL", destination: destination, code: code}
	d.from, d.replyTo = p.emailEnvelope()
	if kind == purposeSignUp && t.DefaultEmailOption == api.DefaultEmailOptionTypeConfirmWithLink && link != "" {
		d.subject = or(t.EmailSubjectByLink, defaultLinkSubject)
		d.body = renderLink(or(t.EmailMessageByLink, defaultLinkMessage), link)
		return d
	}
	d.subject = or(t.EmailSubject, defaultCodeSubject)
	d.body = render(or(t.EmailMessage, defaultCodeMessage), username, code)
	return d
}

// linkPlaceholder is Cognito's {##text##}: the text becomes a link.
var linkPlaceholder = regexp.MustCompile(`\{##(.*?)##\}`)

// renderLink puts the confirmation link where the template's {##text##}
// is, as "text: URL" in a plain-text message.
func renderLink(template, link string) string {
	return linkPlaceholder.ReplaceAllStringFunc(template, func(m string) string {
		return linkPlaceholder.FindStringSubmatch(m)[1] + ": " + link
	})
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
	// SentAt is when a "sent" message was delivered, NextAttempt when a
	// "pending" one is tried next: the outbox worker keeps the time of an
	// outcome in the store's NextAttempt, which a finished message no longer
	// needs.
	SentAt      *api.Timestamp `json:"SentAt,omitempty"`
	NextAttempt *api.Timestamp `json:"NextAttempt,omitempty"`
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
		om := OutboxMessage{ID: m.ID, CreatedAt: api.Time(m.CreatedAt), Kind: m.Kind, DeliveryMedium: m.Medium,
			Destination: m.Destination, Subject: m.Subject, Body: m.Body, Code: m.Code, Status: m.Status,
			Attempts: m.Attempts, LastError: m.LastError}
		switch m.Status {
		case "sent":
			om.SentAt = api.Time(m.NextAttempt)
		case "pending":
			om.NextAttempt = api.Time(m.NextAttempt)
		}
		out = append(out, om)
	}
	return out, nil
}
