package e2e_test

import (
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/emersion/go-smtp"

	"cognate/internal/cognatetest"
	"cognate/internal/server"
)

// mailbox is a real SMTP server on loopback that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	mail []string // each message: its recipients, a blank line, its data
	addr *net.TCPAddr
}

func startMailbox(t *testing.T) *mailbox {
	t.Helper()
	m := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: m}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = ln.Addr().(*net.TCPAddr)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m
}

// wait returns the next message to rcpt after the first skip ones.
func (m *mailbox) wait(t *testing.T, rcpt string, skip int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		m.mu.Lock()
		var got []string
		for _, msg := range m.mail {
			if strings.HasPrefix(msg, rcpt+"\n") {
				got = append(got, msg)
			}
		}
		m.mu.Unlock()
		if len(got) > skip {
			return got[skip]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no message %d to %s arrived", skip+1, rcpt)
	return ""
}

type mailSession struct {
	box *mailbox
	to  []string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.mail = append(s.box.mail, strings.Join(s.to, ",")+"\n\n"+string(data))
	return nil
}
func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// The newcomer's journey with the codes arriving by email from a real SMTP
// server: sign up, confirm, sign in, forget the password, reset it, sign in.
func TestSelfService_JourneyBySMTP(t *testing.T) {
	for _, backend := range cognatetest.Backends {
		for _, secret := range []bool{false, true} {
			t.Run(string(backend)+map[bool]string{false: "/public", true: "/secret"}[secret], func(t *testing.T) {
				t.Parallel()
				box := startMailbox(t)
				s := cognatetest.Start(t, backend, func(c *server.Config) {
					c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "127.0.0.1", box.addr.Port, "none", "no-reply@example.com"
				})
				c := s.Client
				_, clientID, clientSecret := selfServicePool(t, c, secret)
				hash := hasher(clientID, clientSecret)
				email := "newcomer@example.com"
				auth := func(pw string) error {
					params := map[string]string{"USERNAME": email, "PASSWORD": pw}
					if h := hash(email); h != nil {
						params["SECRET_HASH"] = *h
					}
					_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params})
					return err
				}

				must[*cip.SignUpOutput](t)(c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: aws.String(email), Password: aws.String(password)}))
				mail := box.wait(t, email, 0)
				if !strings.Contains(mail, "From: <no-reply@example.com>") && !strings.Contains(mail, "From: no-reply@example.com") {
					t.Errorf("confirmation mail has no From of the server: %s", mail)
				}
				code := sixDigits.FindString(mail[strings.Index(mail, "\r\n\r\n"):])
				must[*cip.ConfirmSignUpOutput](t)(c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: aws.String(email), ConfirmationCode: &code}))
				if err := auth(password); err != nil {
					t.Fatal(err)
				}

				must[*cip.ForgotPasswordOutput](t)(c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, SecretHash: hash(email), Username: aws.String(email)}))
				mail = box.wait(t, email, 1)
				code = sixDigits.FindString(mail[strings.Index(mail, "\r\n\r\n"):])
				must[*cip.ConfirmForgotPasswordOutput](t)(c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, SecretHash: hash(email),
					Username: aws.String(email), ConfirmationCode: &code, Password: aws.String("Brand-New-Pass-2")}))
				if err := auth("Brand-New-Pass-2"); err != nil {
					t.Fatal(err)
				}
				wantErr(t, auth(password), "NotAuthorizedException", "Incorrect username or password.")
			})
		}
	}
}
