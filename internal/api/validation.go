package api

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// validationErrors collects constraint violations in AWS's wording:
// "2 validation errors detected: Value null at 'userPoolId' failed to satisfy
// constraint: Member must not be null; Value '...' at ...".
type validationErrors struct {
	msgs []string
}

type pattern struct {
	re   *regexp.Regexp
	text string // the model's pattern, as AWS prints it
}

func (e *validationErrors) err() error {
	if len(e.msgs) == 0 {
		return nil
	}
	noun := "errors"
	if len(e.msgs) == 1 {
		noun = "error"
	}
	return &InvalidParameterException{Message: fmt.Sprintf("%d validation %s detected: %s", len(e.msgs), noun, strings.Join(e.msgs, "; "))}
}

func (e *validationErrors) add(path, value string, sensitive bool, constraint string) {
	v := "Value '" + value + "' at"
	if sensitive {
		v = "Value at"
	}
	e.msgs = append(e.msgs, fmt.Sprintf("%s '%s' failed to satisfy constraint: %s", v, path, constraint))
}

func (e *validationErrors) null(path string) {
	e.msgs = append(e.msgs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path))
}

// length checks a string's length the way AWS counts it (UTF-16 code units);
// a bound of -1 means none.
func (e *validationErrors) length(path, v string, min, max int64, sensitive bool) {
	n := int64(len(utf16.Encode([]rune(v))))
	if min >= 0 && n < min {
		e.add(path, v, sensitive, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if max >= 0 && n > max {
		e.add(path, v, sensitive, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

func (e *validationErrors) pattern(path, v string, p pattern, sensitive bool) {
	if !p.re.MatchString(v) {
		e.add(path, v, sensitive, "Member must satisfy regular expression pattern: "+p.text)
	}
}

func (e *validationErrors) numRange(path string, v, min, max int64) {
	s := strconv.FormatInt(v, 10)
	if min >= 0 && v < min {
		e.add(path, s, false, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	}
	if max >= 0 && v > max {
		e.add(path, s, false, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

// count checks the number of elements of a list or map, or the bytes of a blob.
func (e *validationErrors) count(path string, n int, min, max int64) {
	if min >= 0 && int64(n) < min {
		e.msgs = append(e.msgs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", path, min))
	}
	if max >= 0 && int64(n) > max {
		e.msgs = append(e.msgs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", path, max))
	}
}

func enumCheck[T ~string](e *validationErrors, path string, v T, allowed []T) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	e.add(path, string(v), false, "Member must satisfy enum value set: ["+strings.Join(names, ", ")+"]")
}

func itoa(i int) string { return strconv.Itoa(i) }
