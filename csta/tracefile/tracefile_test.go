package tracefile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func sample() Record {
	return Record{Time: time.Date(2026, 12, 6, 10, 30, 50, 123456000, time.UTC), PBX: "hq", Node: "primary",
		Dir: Recv, InvokeID: 9999, Name: "DeliveredEvent",
		Body: []byte("<?xml version=\"1.0\"?>\r\n<DeliveredEvent>\n\t<a>x\\y \x00\x7f\xff\xc3</a>ü</DeliveredEvent>\n")}
}

func TestRoundTripAnyBytes(t *testing.T) {
	r := sample()
	line := AppendRecord(nil, r)
	require.Equal(t, 1, bytes.Count(line, []byte("\n")), "one line per record")
	require.True(t, strings.HasPrefix(string(line), "2026-12-06T10:30:50.123456Z hq primary recv 9999 DeliveredEvent <?xml"))
	require.Contains(t, string(line), `\r\n<DeliveredEvent>\n`+"\t"+`<a>x\\y \x00\x7f\xff\xc3</a>ü`)
	got, err := ParseLine(line[:len(line)-1])
	require.NoError(t, err)
	require.Equal(t, r, got)

	// Every byte value survives, and a CRLF line ending (an editor on Windows) is accepted.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	r.Body, r.InvokeID = all, NoInvokeID
	line = AppendRecord(nil, r)
	got, err = ParseLine(append(line[:len(line)-1], '\r'))
	require.NoError(t, err)
	require.Equal(t, all, got.Body)
	require.Equal(t, NoInvokeID, got.InvokeID)
}

func TestParseErrorsNameTheField(t *testing.T) {
	good := strings.TrimSuffix(sample().String(), "\n")
	for _, tc := range []struct{ line, want string }{
		{"2026-12-06T10:30:50Z hq primary recv 9999", "name: missing"},
		{"yesterday hq primary recv 9999 X <a/>", "time: \"yesterday\""},
		{"2026-12-06T10:30:50Z hq primary sent 9999 X <a/>", "dir: \"sent\": want send or recv"},
		{"2026-12-06T10:30:50Z hq primary send 12 X <a/>", "invoke: \"12\""},
		{"2026-12-06T10:30:50Z hq  primary send 0012 X <a/>", "node: empty"},
		{"2026-12-06T10:30:50Z hq primary send 0012 X <a>\\q</a>", `unknown escape \q`},
		{"2026-12-06T10:30:50Z hq primary send 0012 X <a>\\x4</a>", `\x4<`},
		{"2026-12-06T10:30:50Z hq primary send 0012 X <a>\\", "lone backslash"},
	} {
		_, err := ParseLine([]byte(tc.line))
		require.ErrorContains(t, err, tc.want, tc.line)
	}
	_, err := ParseLine([]byte(good))
	require.NoError(t, err)
}

func TestReaderLineNumbers(t *testing.T) {
	r := sample()
	var b bytes.Buffer
	b.WriteString(Header)
	b.Write(AppendRecord(nil, r))
	b.WriteString("\n# a note\n")
	b.Write(AppendRecord(nil, r))
	b.WriteString("garbage\n")
	data := bytes.Clone(b.Bytes())
	rd := NewReader(&b)
	got, err := rd.Next()
	require.NoError(t, err)
	require.Equal(t, 2, got.Line)
	got, err = rd.Next()
	require.NoError(t, err)
	require.Equal(t, 5, got.Line)
	_, err = rd.Next()
	var le *LineError
	require.ErrorAs(t, err, &le)
	require.Equal(t, 6, le.Line)
	_, err = rd.Next()
	require.ErrorIs(t, err, io.EOF)

	path := filepath.Join(t.TempDir(), "t.log")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	recs, err := ReadFile(path)
	require.Len(t, recs, 2)
	require.ErrorContains(t, err, path+":6: pbx: missing")
}

func TestWriterRotates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "trace.log")
	const max = 600
	w, err := Create(path, max, 3)
	require.NoError(t, err)
	r := sample()
	r.Body = bytes.Repeat([]byte("x"), 100)
	lineLen := len(AppendRecord(nil, r))
	for i := 0; i < 40; i++ {
		r.InvokeID = i
		_, err := w.WriteRecord(r)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	_, err = w.WriteRecord(r)
	require.True(t, errors.Is(err, os.ErrClosed))
	names, _ := filepath.Glob(path + "*")
	require.ElementsMatch(t, []string{path, path + ".1", path + ".2"}, names)
	last := 39
	for _, name := range []string{path, path + ".1", path + ".2"} {
		st, err := os.Stat(name)
		require.NoError(t, err)
		require.LessOrEqual(t, st.Size(), int64(max), name)
		recs, err := ReadFile(name)
		require.NoError(t, err)
		if name == path {
			require.NotEmpty(t, recs) // the newest file is filled up to the cap
		} else {
			require.Equal(t, (max-len(Header))/lineLen, len(recs), name)
		}
		// Newest in FILE, older in FILE.1, FILE.2; no line lost between them.
		require.Equal(t, last, recs[len(recs)-1].InvokeID, name)
		last = recs[0].InvokeID - 1
	}
	// Reopening appends; a line larger than the cap goes alone into a new file.
	w, err = Create(path, max, 3)
	require.NoError(t, err)
	r.Body = bytes.Repeat([]byte("y"), 2*max)
	_, err = w.WriteRecord(r)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	recs, err := ReadFile(path)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Equal(t, r.Body, recs[0].Body)
}
