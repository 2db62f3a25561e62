package lookup

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runDirectory starts d.Run for the test and stops it at the end.
func runDirectory(t *testing.T, d *Directory) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

func lookupName(t *testing.T, s Source, number string) string {
	t.Helper()
	c, ok, err := s.Lookup(context.Background(), number)
	require.NoError(t, err)
	if !ok {
		return ""
	}
	return c.Name
}

// writeFile replaces path's content by writing a temporary file and renaming it, as editors
// and deployment tools do; inPlace rewrites the file itself.
func writeFile(t *testing.T, path, content string, inPlace bool) {
	t.Helper()
	if inPlace {
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return
	}
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

func TestDirectoryCSVReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "phonebook.csv")
	writeFile(t, path, "number,name,company\n+49 30 1234567,Dora Diaz,ACME\n\"(030) 765-4321\",\"Smith, Eve\",\n", true)
	d, err := NewDirectory(path, 10*time.Millisecond)
	require.NoError(t, err)
	var reloads atomic.Int32
	d.OnReload = func(int) { reloads.Add(1) }
	runDirectory(t, d)

	c, ok, err := d.Lookup(context.Background(), "+49301234567")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, Contact{Name: "Dora Diaz", Company: "ACME", Source: "directory"}, c)
	assert.Equal(t, "Smith, Eve", lookupName(t, d, "0307654321"))
	assert.Empty(t, lookupName(t, d, "201"))

	// Rewritten in place: the new name is served, the removed number is gone.
	writeFile(t, path, "number,name\n+49301234567,Dora Diaz-Ortiz\n201,Alice\n", true)
	require.Eventually(t, func() bool { return lookupName(t, d, "201") == "Alice" }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, "Dora Diaz-Ortiz", lookupName(t, d, "+49 30 1234567"))
	assert.Empty(t, lookupName(t, d, "0307654321"))

	// Replaced by a rename, in the ';' form spreadsheets write.
	writeFile(t, path, "Number;Name\n202;Bob\n", false)
	require.Eventually(t, func() bool { return lookupName(t, d, "202") == "Bob" }, 10*time.Second, 5*time.Millisecond)
	assert.Empty(t, lookupName(t, d, "201"))
	assert.EqualValues(t, 3, d.Loads())
	require.Eventually(t, func() bool { return reloads.Load() == 2 }, 10*time.Second, 5*time.Millisecond)

	// A broken file keeps the entries it replaces, and says why.
	writeFile(t, path, "number,name\n202,Bob\nnot-a-number,Mallory\n", true)
	require.Eventually(t, func() bool { return d.LastError() != nil }, 10*time.Second, 5*time.Millisecond)
	assert.Contains(t, d.LastError().Error(), `line 3: "not-a-number" is not a telephone number`)
	assert.Equal(t, "Bob", lookupName(t, d, "202"))

	// Fixed again: served, and the error is gone.
	writeFile(t, path, "number,name\n203,Carol\n", true)
	require.Eventually(t, func() bool { return lookupName(t, d, "203") == "Carol" }, 10*time.Second, 5*time.Millisecond)
	assert.NoError(t, d.LastError())
}

func TestDirectoryVCardReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.vcf")
	v3 := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Diaz;Dora;;;\r\nFN:Dora Diaz\r\nORG:ACME Corp;Sales\r\n" +
		"TEL;TYPE=WORK,VOICE:+49 30 1234567\r\nitem1.TEL;TYPE=CELL:+49 170 555\r\n 1234\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;Eve;;;\r\nTEL:201\r\nEND:VCARD\r\n"
	writeFile(t, path, v3, true)
	d, err := NewDirectory(path, 10*time.Millisecond)
	require.NoError(t, err)
	runDirectory(t, d)

	c, ok, err := d.Lookup(context.Background(), "+49301234567")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, Contact{Name: "Dora Diaz", Company: "ACME Corp", Source: "directory"}, c)
	assert.Equal(t, "Dora Diaz", lookupName(t, d, "+491705551234"), "a folded TEL line")
	assert.Equal(t, "Eve Smith", lookupName(t, d, "201"), "no FN: the name from N")

	v4 := "BEGIN:VCARD\nVERSION:4.0\nFN:Frank O\\, Neill\nTEL;VALUE=uri;TYPE=\"voice,work\":tel:+1-555-0100\nEND:VCARD\n"
	writeFile(t, path, v4, false)
	require.Eventually(t, func() bool { return lookupName(t, d, "+15550100") == "Frank O, Neill" }, 10*time.Second, 5*time.Millisecond)
	assert.Empty(t, lookupName(t, d, "201"))

	writeFile(t, path, "BEGIN:VCARD\nVERSION:4.0\nTEL:202\nEND:VCARD\n", true)
	require.Eventually(t, func() bool { return d.LastError() != nil }, 10*time.Second, 5*time.Millisecond)
	assert.Contains(t, d.LastError().Error(), "card at line 1: TEL 202 without FN or N")
	assert.Equal(t, "Frank O, Neill", lookupName(t, d, "+15550100"))
}

func TestDirectoryRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ file, content, want string }{
		"missing":     {"none.csv", "", "no such file"},
		"no header":   {"a.csv", "201,Alice\n", `want columns number and name`},
		"no name":     {"b.csv", "number,name\n201,\n", "line 2: number 201 has no name"},
		"empty":       {"c.csv", "number,name\n", "no entries with a number and a name"},
		"unclosed":    {"d.vcf", "BEGIN:VCARD\nFN:A\nTEL:1\n", "card at line 1: no END:VCARD"},
		"not a vcard": {"e.vcf", "number,name\n", "no BEGIN:VCARD"},
		"bad quote":   {"f.csv", "number,name\n201,\"Al\"ice\n", "csv: parse error on line 2"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if tc.content != "" {
				require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			}
			_, err := NewDirectory(path, 0)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
