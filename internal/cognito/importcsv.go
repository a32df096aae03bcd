package cognito

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"cognate/internal/api"
	"cognate/internal/passhash"
	"cognate/internal/store"
)

// The columns of an import file besides the pool's attributes: Cognito's
// two, and Cognate's own, which only Cognate's import and export know.
const (
	columnUsername   = "cognito:username"
	columnMFAEnabled = "cognito:mfa_enabled"
	// columnPasswordHash holds a password hash exported from another system.
	columnPasswordHash = "cognate:password_hash"
	// columnVerifier holds a Cognate SRP verifier, exported by
	// 'cognate users export --with-verifiers'.
	columnVerifier = "cognate:password_verifier"
	// columnGroups names the user's groups, separated by spaces (which
	// group names cannot contain).
	columnGroups = "cognate:groups"
)

// maxRowBytes bounds one row of an import file, so that a hostile file (one
// quoted field that never ends) is refused instead of read into memory.
const maxRowBytes = 64 << 10

// csvHeader is the header of the pool's import files, as GetCSVHeader
// answers it: the attributes of the schema (but sub) in schema order, then
// cognito:mfa_enabled and cognito:username.
func (p *pool) csvHeader() []string {
	var h []string
	for _, a := range p.doc.Pool.SchemaAttributes {
		if n := api.Value(a.Name); n != "sub" {
			h = append(h, n)
		}
	}
	return append(h, columnMFAEnabled, columnUsername)
}

// rowReader reads an import file row by row, refusing rows longer than
// maxRowBytes and remembering where each row ends.
type rowReader struct {
	limit *rowLimit
	csv   *csv.Reader
}

// rowLimit fails a read once the current row has taken more than
// maxRowBytes; the reader resets it after each row.
type rowLimit struct {
	r    io.Reader
	left int
}

var errRowTooLong = fmt.Errorf("row longer than %d KiB", maxRowBytes>>10)

func (l *rowLimit) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errRowTooLong
	}
	if len(p) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= n
	return n, err
}

func newRowReader(r io.Reader) *rowReader {
	l := &rowLimit{r: r, left: maxRowBytes}
	c := csv.NewReader(l)
	c.FieldsPerRecord = -1 // ragged rows are reported one by one
	c.ReuseRecord = true
	return &rowReader{limit: l, csv: c}
}

// next returns the next row and the line it starts on (counted from the
// start of what this reader read, from 1). A malformed row is an error the
// caller reports for that line and goes on; errRowTooLong and read errors
// end the file.
func (r *rowReader) next() ([]string, int, error) {
	r.limit.left = maxRowBytes + 4096 // csv reads ahead a buffer's worth
	rec, err := r.csv.Read()
	if err != nil {
		return nil, 0, err
	}
	line, _ := r.csv.FieldPos(0)
	return rec, line, nil
}

// offset is the byte offset of the end of the last row read.
func (r *rowReader) offset() int64 { return r.csv.InputOffset() }

// importColumns maps an import file's header to what each column is.
type importColumns struct {
	names    []string
	username int // index of cognito:username
}

// parseHeader checks an import file's header: every column must be one the
// pool knows, once, and cognito:username must be there.
func (p *pool) parseHeader(header []string) (importColumns, error) {
	cols := importColumns{username: -1}
	seen := map[string]bool{}
	for i, raw := range header {
		name := strings.TrimSpace(raw)
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff")
		}
		if !utf8.ValidString(name) {
			return cols, errors.New("the header is not UTF-8: save the file as UTF-8")
		}
		if seen[name] {
			return cols, fmt.Errorf("the header names %q twice", name)
		}
		seen[name] = true
		switch name {
		case columnUsername:
			cols.username = i
		case columnMFAEnabled, columnPasswordHash, columnVerifier, columnGroups, "sub":
		default:
			if _, ok := p.schemaAttribute(name); !ok {
				return cols, fmt.Errorf("the header has %q, which is not an attribute of the pool (see GetCSVHeader)", name)
			}
		}
		cols.names = append(cols.names, name)
	}
	if cols.username < 0 {
		return cols, fmt.Errorf("the header has no %s column", columnUsername)
	}
	return cols, nil
}

// importedUser is a valid row, ready for the store.
type importedUser struct {
	user   store.User
	names  []store.SignInName
	groups []string
	line   int64
}

// rowError is why a row was not imported.
type rowError struct{ reason string }

func (e *rowError) Error() string { return e.reason }

func rowFailed(format string, args ...any) error { return &rowError{fmt.Sprintf(format, args...)} }

// formulaPrefix marks values a spreadsheet would run as a formula.
func formulaLike(v string) bool {
	return v != "" && strings.ContainsRune("=@\t\r", rune(v[0]))
}

// importRow turns a row into a user of the pool: attributes checked against
// the schema, the username as the pool names users, and the password (a
// foreign hash or a Cognate verifier) when the row has one; such users are
// CONFIRMED, others RESET_REQUIRED, as Cognito imports them.
func (s *Service) importRow(p *pool, cols importColumns, rec []string, algorithm api.PasswordHashingAlgorithmType) (importedUser, error) {
	var out importedUser
	if len(rec) != len(cols.names) {
		return out, rowFailed("the row has %d fields, the header %d", len(rec), len(cols.names))
	}
	sub := uuid.NewString()
	var given []api.AttributeType
	var hash, verifier, username string
	for i, name := range cols.names {
		v := rec[i]
		if !utf8.ValidString(v) {
			return out, rowFailed("%s is not UTF-8", name)
		}
		if formulaLike(v) {
			return out, rowFailed("%s starts like a spreadsheet formula", name)
		}
		switch name {
		case columnUsername:
			username = v
		case columnMFAEnabled:
			if v != "" && v != "true" && v != "false" {
				return out, rowFailed("%s must be true or false", name)
			}
		case columnPasswordHash:
			hash = v
		case columnVerifier:
			verifier = v
		case columnGroups:
			if v != "" {
				out.groups = strings.Fields(v)
			}
		case "sub":
			if v != "" {
				if _, err := uuid.Parse(v); err != nil {
					return out, rowFailed("sub must be a UUID")
				}
				sub = v
			}
		default:
			if v != "" {
				given = append(given, api.AttributeType{Name: new(name), Value: new(v)})
			}
		}
	}
	if username == "" {
		return out, rowFailed("%s is empty", columnUsername)
	}
	if err := p.checkAttributeValues(given, true); err != nil {
		return out, rowFailed("%s", apiMessage(err))
	}
	attrs := attributes{{Name: new("sub"), Value: new(sub)}}
	for _, a := range given {
		attrs.set(*a.Name, *a.Value)
	}
	name := username
	if p.signsInWith("email") || p.signsInWith("phone_number") {
		// The stored username of such pools is the sub; the file names
		// users by it too, as Cognito's export does.
		name = sub
	}
	if err := p.checkRequired(attrs); err != nil {
		return out, rowFailed("%s", apiMessage(err))
	}
	now := s.now()
	u := store.User{PoolID: p.rec.ID, Key: p.nameKey(name), Username: name, Sub: sub, Status: statusResetRequired,
		Enabled: true, CreatedAt: now, UpdatedAt: now, Attributes: attrs.encode()}
	setFilterable(&u, attrs)
	switch {
	case verifier != "":
		c, err := parseExportedVerifier(verifier)
		if err != nil {
			return out, rowFailed("%s: %v", columnVerifier, err)
		}
		s.sealCredential(p, &u, c)
		u.Status = statusConfirmed
	case hash != "":
		h, err := passhash.Parse(hash)
		if err != nil {
			return out, rowFailed("%s: %v", columnPasswordHash, err)
		}
		if algorithm != "" && !algorithmMatches(algorithm, h.Algorithm()) {
			return out, rowFailed("%s is %s, but the job's PasswordHashingAlgorithm is %s", columnPasswordHash, h.Algorithm(), algorithm)
		}
		s.sealCredential(p, &u, credential{Imported: hash})
		u.Status = statusConfirmed
	}
	out.user = u
	out.names = p.signInNames(u.Key, attrs)
	return out, nil
}

// algorithmMatches reports whether a parsed hash is of the job's algorithm.
func algorithmMatches(want api.PasswordHashingAlgorithmType, got string) bool {
	switch want {
	case api.PasswordHashingAlgorithmTypeBcrypt:
		return got == "bcrypt"
	case api.PasswordHashingAlgorithmTypeScrypt:
		return got == "scrypt"
	case api.PasswordHashingAlgorithmTypeArgon2id:
		return got == "argon2id"
	case api.PasswordHashingAlgorithmTypePbkdf2Sha256:
		return got == "pbkdf2-sha256"
	}
	return false
}

// apiMessage is the message of a Cognito error, or the error's text.
func apiMessage(err error) string {
	var apiErr api.Error
	if errors.As(err, &apiErr) {
		return apiErr.ErrorMessage()
	}
	return err.Error()
}
