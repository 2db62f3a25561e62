package tracefile

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReadTrace feeds arbitrary files to the reader: it must never panic, every record it
// returns must write back to a line that reads as the same record, and line numbers grow.
func FuzzReadTrace(f *testing.F) {
	f.Add([]byte(Header + sample().String() + "\n"))
	f.Add([]byte("2026-12-06T10:30:50Z hq primary send ---- MonitorStart <a>\\x00\\\\\\n</a>\r\n#c\n\n"))
	f.Add([]byte("2026-12-06T10:30:50Z hq primary send 0001 X \\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(bytes.NewReader(data))
		last := 0
		for i := 0; i < 10000; i++ {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var le *LineError
				if !errors.As(err, &le) {
					t.Fatalf("error %v is not a *LineError", err)
				}
				continue
			}
			if rec.Line <= last {
				t.Fatalf("line %d after %d", rec.Line, last)
			}
			last = rec.Line
			line := AppendRecord(nil, rec)
			again, err := ParseLine(line[:len(line)-1])
			if err != nil {
				t.Fatalf("re-reading %q: %v", line, err)
			}
			again.Line = rec.Line
			if !bytes.Equal(again.Body, rec.Body) || again.Name != rec.Name || again.PBX != rec.PBX ||
				again.InvokeID != rec.InvokeID || !again.Time.Equal(rec.Time.Truncate(1000)) {
				t.Fatalf("round trip changed %+v into %+v", rec, again)
			}
		}
	})
}
