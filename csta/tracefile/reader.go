package tracefile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxLine bounds one line: a body of the largest CSTA frame, every byte escaped, fits.
const MaxLine = 4 << 20

// LineError is a problem at one line of a trace; File is set by ReadFile.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Reader reads records one by one.
type Reader struct {
	br   *bufio.Reader
	line int
	buf  []byte
}

// NewReader reads a trace from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next record, skipping comments and blank lines; io.EOF at the end. Any
// other error is a *LineError; reading may go on after it with the next line.
func (r *Reader) Next() (Record, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return Record{}, err
		}
		t := bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(t)) == 0 || t[0] == '#' {
			continue
		}
		rec, perr := ParseLine(line)
		if perr != nil {
			return Record{}, &LineError{Line: r.line, Err: perr}
		}
		rec.Line = r.line
		return rec, nil
	}
}

// readLine returns the next line without its newline (a last line without one too).
func (r *Reader) readLine() ([]byte, error) {
	r.buf = r.buf[:0]
	tooLong := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		if !tooLong {
			r.buf = append(r.buf, chunk...)
			if len(r.buf) > MaxLine {
				tooLong = true
				r.buf = r.buf[:0]
			}
		}
		switch {
		case err == nil:
			r.line++
			if tooLong {
				return nil, &LineError{Line: r.line, Err: fmt.Errorf("line longer than %d bytes", MaxLine)}
			}
			return r.buf[:len(r.buf)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(r.buf) == 0 && !tooLong {
				return nil, io.EOF
			}
			r.line++
			if tooLong {
				return nil, &LineError{Line: r.line, Err: fmt.Errorf("line longer than %d bytes", MaxLine)}
			}
			return r.buf, nil
		default:
			return nil, &LineError{Line: r.line + 1, Err: err}
		}
	}
}

// ReadFile reads every record of a file; the first bad line ends it with an error naming
// the file and the line.
func ReadFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Record
	rd := NewReader(f)
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			var le *LineError
			if errors.As(err, &le) {
				le.File = path
				return out, le
			}
			return out, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, rec)
	}
}
