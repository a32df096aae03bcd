package cognito

import (
	"crypto/rand"
	"encoding/json"
	"math/big"
	"strings"
	"time"
	"unicode"

	"cognate/internal/api"
	"cognate/internal/srp"
	"cognate/internal/store"
)

// passwordSymbols are the characters Cognito counts as symbols.
const passwordSymbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// checkPassword enforces the pool's password policy with Cognito's messages.
func (p *pool) checkPassword(password string) error {
	pw := p.doc.Pool.Policies.PasswordPolicy
	fail := func(reason string) error {
		return &api.InvalidPasswordException{Message: "Password does not conform to policy: " + reason}
	}
	if int32(len([]rune(password))) < api.Value(pw.MinimumLength) {
		return fail("Password not long enough")
	}
	has := func(pred func(rune) bool) bool { return strings.IndexFunc(password, pred) >= 0 }
	if api.Value(pw.RequireLowercase) && !has(unicode.IsLower) {
		return fail("Password must have lowercase characters")
	}
	if api.Value(pw.RequireUppercase) && !has(unicode.IsUpper) {
		return fail("Password must have uppercase characters")
	}
	if api.Value(pw.RequireNumbers) && !has(unicode.IsDigit) {
		return fail("Password must have numeric characters")
	}
	if api.Value(pw.RequireSymbols) && !has(func(r rune) bool { return strings.ContainsRune(passwordSymbols, r) }) {
		return fail("Password must have symbol characters")
	}
	return nil
}

// generatePassword makes a temporary password that satisfies the policy.
func (p *pool) generatePassword() string {
	pw := p.doc.Pool.Policies.PasswordPolicy
	classes := []string{"abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "!@#%&*^$"}
	n := max(int(api.Value(pw.MinimumLength)), 12)
	out := make([]byte, 0, n)
	for _, c := range classes {
		out = append(out, c[randInt(len(c))])
	}
	all := strings.Join(classes, "")
	for len(out) < n {
		out = append(out, all[randInt(len(all))])
	}
	for i := len(out) - 1; i > 0; i-- {
		j := randInt(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err)
	}
	return int(v.Int64())
}

// credential is what a user's Credential holds once opened: the SRP salt and
// verifier of the password, the only form in which Cognate keeps it.
//
// An imported user may instead hold Imported, a password hash of another
// system, or a verifier made for another pool or username (SRPPool,
// SRPUser: what x was computed over). Either is checked at the first
// password sign-in and then replaced by a verifier of this pool.
type credential struct {
	Salt     []byte `json:"salt,omitempty"`
	Verifier []byte `json:"verifier,omitempty"`
	Imported string `json:"imported,omitempty"`
	SRPPool  string `json:"srpPool,omitempty"`
	SRPUser  string `json:"srpUser,omitempty"`
}

// native reports whether the credential is a verifier SRP sign-in can use.
func (c credential) native() bool {
	return c.Imported == "" && c.SRPPool == "" && c.SRPUser == "" && c.Verifier != nil
}

// userSettings is the user's Settings document.
type userSettings struct {
	// TemporaryPasswordExpires is when a temporary password stops working.
	TemporaryPasswordExpires *time.Time          `json:"temporaryPasswordExpires,omitempty"`
	MFAOptions               []api.MFAOptionType `json:"mfaOptions,omitempty"`
	// FailedSignIns counts wrong passwords in a row, the last at
	// LastFailedSignIn: the lockout works from them.
	FailedSignIns    int        `json:"failedSignIns,omitempty"`
	LastFailedSignIn *time.Time `json:"lastFailedSignIn,omitempty"`
	// LastSignIn is the day of the last successful sign-in.
	LastSignIn *time.Time `json:"lastSignIn,omitempty"`
}

func decodeSettings(raw []byte) (userSettings, error) {
	var s userSettings
	if len(raw) == 0 {
		return s, nil
	}
	return s, json.Unmarshal(raw, &s)
}

func (s userSettings) encode() []byte {
	raw, _ := json.Marshal(s)
	return raw
}

func credentialAAD(poolID, userKey string) string {
	return "pool/" + poolID + "/user/" + userKey + "/credential"
}

// setPassword stores the password's SRP verifier, sealed, on u; temporary
// passwords expire after the pool's TemporaryPasswordValidityDays.
func (s *Service) setPassword(p *pool, u *store.User, password string, temporary bool) error {
	salt := srp.NewSalt()
	s.sealCredential(p, u, credential{Salt: salt, Verifier: srp.Verifier(srp.PoolName(p.rec.ID), u.Username, password, salt)})
	settings, err := decodeSettings(u.Settings)
	if err != nil {
		return err
	}
	settings.TemporaryPasswordExpires = nil
	if temporary {
		days := api.Value(p.doc.Pool.Policies.PasswordPolicy.TemporaryPasswordValidityDays)
		expires := s.now().AddDate(0, 0, int(days))
		settings.TemporaryPasswordExpires = &expires
	}
	u.Settings = settings.encode()
	return nil
}

// sealCredential stores c on u, sealed under the instance key.
func (s *Service) sealCredential(p *pool, u *store.User, c credential) {
	raw, _ := json.Marshal(c)
	u.Credential = s.box.Seal(raw, credentialAAD(p.rec.ID, u.Key))
}
