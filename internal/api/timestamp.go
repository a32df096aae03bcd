package api

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Timestamp is a point in time on the wire: epoch seconds as a JSON number,
// with millisecond precision, which is what AWS's JSON protocol sends and the
// SDKs parse.
type Timestamp time.Time

// Time returns t as a *Timestamp, for response fields.
func Time(t time.Time) *Timestamp {
	ts := Timestamp(t)
	return &ts
}

// Time returns the time.Time value.
func (t Timestamp) Time() time.Time { return time.Time(t) }

func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e13 {
		return fmt.Errorf("timestamp must be epoch seconds, got %s", b)
	}
	sec, frac := math.Modf(f)
	*t = Timestamp(time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC())
	return nil
}
