package tracefile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Header is the comment line that starts every file the Writer creates.
const Header = "# ctibridge CSTA trace v1: time pbx node dir invoke name body (docs/trace.md)\n"

// TimeFormat is the layout of a line's time field.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// NoInvokeID is the InvokeID of a message on a framing without invoke IDs ("----").
const NoInvokeID = -1

// Directions.
const (
	Send = "send" // bridge -> PBX
	Recv = "recv" // PBX -> bridge
)

// Record is one traced message.
type Record struct {
	// Line is the record's line number in its file (1-based), set by Reader.
	Line     int
	Time     time.Time
	PBX      string
	Node     string
	Dir      string // Send or Recv
	InvokeID int    // 0-9999, or NoInvokeID
	Name     string
	Body     []byte
}

// String is the record's line without the trailing newline, for messages.
func (r Record) String() string {
	return strings.TrimSuffix(string(AppendRecord(nil, r)), "\n")
}

// AppendRecord appends r as one line, newline included. Fields that would break the line
// (empty, or holding spaces or control bytes) are written as "-" or with those bytes
// replaced by '_', so that whatever a caller passes, the line parses.
func AppendRecord(dst []byte, r Record) []byte {
	dst = r.Time.UTC().AppendFormat(dst, TimeFormat)
	dst = append(dst, ' ')
	dst = appendField(dst, r.PBX)
	dst = append(dst, ' ')
	dst = appendField(dst, r.Node)
	dst = append(dst, ' ')
	dst = appendField(dst, r.Dir)
	dst = append(dst, ' ')
	if r.InvokeID < 0 || r.InvokeID > 9999 {
		dst = append(dst, "----"...)
	} else {
		dst = append(dst, byte('0'+r.InvokeID/1000), byte('0'+r.InvokeID/100%10), byte('0'+r.InvokeID/10%10), byte('0'+r.InvokeID%10))
	}
	dst = append(dst, ' ')
	dst = appendField(dst, r.Name)
	dst = append(dst, ' ')
	dst = AppendEscaped(dst, r.Body)
	return append(dst, '\n')
}

func appendField(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f {
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// AppendEscaped appends body escaped as in a trace line.
func AppendEscaped(dst, body []byte) []byte {
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\':
			dst = append(dst, '\\', '\\')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < ' ' && c != '\t' || c == 0x7f:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && n <= 1 {
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
				i++
				continue
			}
			dst = append(dst, body[i:i+n]...)
			i += n
			continue
		default:
			dst = append(dst, c)
		}
		i++
	}
	return dst
}

// Unescape reverses AppendEscaped.
func Unescape(s []byte) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' || c == '\r' {
			return nil, fmt.Errorf("body: raw line break at byte %d", i)
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, errors.New("body: ends with a lone backslash")
		}
		i++
		switch s[i] {
		case '\\':
			out = append(out, '\\')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'x':
			if i+2 >= len(s) {
				return nil, fmt.Errorf("body: \\x at byte %d needs two hex digits", i-1)
			}
			v, err := strconv.ParseUint(string(s[i+1:i+3]), 16, 8)
			if err != nil {
				return nil, fmt.Errorf("body: \\x%s at byte %d is not two hex digits", s[i+1:i+3], i-1)
			}
			out = append(out, byte(v))
			i += 2
		default:
			return nil, fmt.Errorf("body: unknown escape \\%c at byte %d (want \\\\, \\n, \\r or \\xHH)", s[i], i-1)
		}
	}
	return out, nil
}

// FieldError says which field of a line is wrong.
type FieldError struct {
	Field  string // time, pbx, node, dir, invoke, name or body
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// ParseLine parses one line (without its newline; a trailing '\r' is dropped). It does not
// accept comments or blank lines: Reader skips those.
func ParseLine(line []byte) (Record, error) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	var f [6]string
	rest := line
	names := []string{"time", "pbx", "node", "dir", "invoke", "name", "body"}
	for i, name := range names[:6] {
		sp := indexByte(rest, ' ')
		if sp < 0 {
			return Record{}, &FieldError{Field: names[i+1], Reason: fmt.Sprintf("missing: a line has 7 space-separated fields, this one %d", i+1)}
		}
		f[i] = string(rest[:sp])
		if f[i] == "" {
			return Record{}, &FieldError{Field: name, Reason: "empty (two spaces in a row?)"}
		}
		rest = rest[sp+1:]
	}
	var r Record
	t, err := time.Parse(time.RFC3339Nano, f[0])
	if err != nil {
		return Record{}, &FieldError{Field: "time", Reason: fmt.Sprintf("%q is not an RFC 3339 time like 2026-12-06T10:30:50.123456Z", f[0])}
	}
	r.Time = t.UTC()
	r.PBX, r.Node = f[1], f[2]
	for _, c := range []struct{ field, v string }{{"pbx", r.PBX}, {"node", r.Node}, {"name", f[5]}} {
		if strings.IndexFunc(c.v, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
			return Record{}, &FieldError{Field: c.field, Reason: "holds a control character"}
		}
	}
	switch f[3] {
	case Send, Recv:
		r.Dir = f[3]
	default:
		return Record{}, &FieldError{Field: "dir", Reason: fmt.Sprintf("%q: want send or recv", f[3])}
	}
	switch {
	case f[4] == "----":
		r.InvokeID = NoInvokeID
	case len(f[4]) == 4 && strings.Trim(f[4], "0123456789") == "":
		r.InvokeID, _ = strconv.Atoi(f[4])
	default:
		return Record{}, &FieldError{Field: "invoke", Reason: fmt.Sprintf("%q: want four digits or ----", f[4])}
	}
	r.Name = f[5]
	if r.Body, err = Unescape(rest); err != nil {
		return Record{}, &FieldError{Field: "body", Reason: strings.TrimPrefix(err.Error(), "body: ")}
	}
	return r, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
