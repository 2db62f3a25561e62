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

// reloadAfter writes the file and has d check it, as Run does at its next poll. The steps of
// the reload tests call it instead of running Run, because a poll may read a file rewritten
// in place half-written: the next poll reads it again (its size or time changed), which is
// what a deployment sees, but a test that counts loads cannot tell when that happens.
func reloadAfter(t *testing.T, d *Directory, path, content string, inPlace bool) (int, error) {
	t.Helper()
	writeFile(t, path, content, inPlace)
	return d.reload()
}

func TestDirectoryCSVReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "phonebook.csv")
	writeFile(t, path, "number,name,company\n+49 30 1234567,Dora Diaz,ACME\n\"(030) 765-4321\",\"Smith, Eve\",\n", true)
	d, err := NewDirectory(path, 10*time.Millisecond)
	require.NoError(t, err)

	c, ok, err := d.Lookup(context.Background(), "+49301234567")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, Contact{Name: "Dora Diaz", Company: "ACME", Source: "directory"}, c)
	assert.Equal(t, "Smith, Eve", lookupName(t, d, "0307654321"))
	assert.Empty(t, lookupName(t, d, "201"))
	n, err := d.reload()
	require.NoError(t, err)
	assert.Equal(t, -1, n, "an unchanged file is not read again")

	// Rewritten in place: the new name is served, the removed number is gone.
	n, err = reloadAfter(t, d, path, "number,name\n+49301234567,Dora Diaz-Ortiz\n201,Alice\n", true)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, "Alice", lookupName(t, d, "201"))
	assert.Equal(t, "Dora Diaz-Ortiz", lookupName(t, d, "+49 30 1234567"))
	assert.Empty(t, lookupName(t, d, "0307654321"))

	// Replaced by a rename, in the ';' form spreadsheets write.
	n, err = reloadAfter(t, d, path, "Number;Name\n202;Bob\n", false)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, "Bob", lookupName(t, d, "202"))
	assert.Empty(t, lookupName(t, d, "201"))
	assert.EqualValues(t, 3, d.Loads())

	// A broken file keeps the entries it replaces, and says why.
	_, err = reloadAfter(t, d, path, "number,name\n202,Bob\nnot-a-number,Mallory\n", true)
	require.Error(t, err)
	assert.Equal(t, err, d.LastError())
	assert.Contains(t, d.LastError().Error(), `line 3: "not-a-number" is not a telephone number`)
	assert.Equal(t, "Bob", lookupName(t, d, "202"))

	// Fixed again: served, and the error is gone.
	_, err = reloadAfter(t, d, path, "number,name\n203,Carol\n", true)
	require.NoError(t, err)
	assert.Equal(t, "Carol", lookupName(t, d, "203"))
	assert.NoError(t, d.LastError())
}

// TestDirectoryRunReloads: Run polls the file and reports reloads and failures. The file is
// replaced by renames only, so every poll sees a whole file.
func TestDirectoryRunReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "phonebook.csv")
	writeFile(t, path, "number,name\n201,Alice\n", false)
	d, err := NewDirectory(path, 10*time.Millisecond)
	require.NoError(t, err)
	var reloads, failures atomic.Int32
	d.OnReload = func(int) { reloads.Add(1) }
	d.OnError = func(error) { failures.Add(1) }
	runDirectory(t, d)

	writeFile(t, path, "number,name\n202,Bob\n", false)
	require.Eventually(t, func() bool { return lookupName(t, d, "202") == "Bob" }, 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return reloads.Load() == 1 }, 10*time.Second, 5*time.Millisecond)
	writeFile(t, path, "number,name\nnot-a-number,Mallory\n", false)
	require.Eventually(t, func() bool { return failures.Load() > 0 }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, "Bob", lookupName(t, d, "202"))
	assert.EqualValues(t, 1, reloads.Load())
}

func TestDirectoryVCardReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.vcf")
	v3 := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Diaz;Dora;;;\r\nFN:Dora Diaz\r\nORG:ACME Corp;Sales\r\n" +
		"TEL;TYPE=WORK,VOICE:+49 30 1234567\r\nitem1.TEL;TYPE=CELL:+49 170 555\r\n 1234\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;Eve;;;\r\nTEL:201\r\nEND:VCARD\r\n"
	writeFile(t, path, v3, true)
	d, err := NewDirectory(path, 10*time.Millisecond)
	require.NoError(t, err)

	c, ok, err := d.Lookup(context.Background(), "+49301234567")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, Contact{Name: "Dora Diaz", Company: "ACME Corp", Source: "directory"}, c)
	assert.Equal(t, "Dora Diaz", lookupName(t, d, "+491705551234"), "a folded TEL line")
	assert.Equal(t, "Eve Smith", lookupName(t, d, "201"), "no FN: the name from N")

	v4 := "BEGIN:VCARD\nVERSION:4.0\nFN:Frank O\\, Neill\nTEL;VALUE=uri;TYPE=\"voice,work\":tel:+1-555-0100\nEND:VCARD\n"
	_, err = reloadAfter(t, d, path, v4, false)
	require.NoError(t, err)
	assert.Equal(t, "Frank O, Neill", lookupName(t, d, "+15550100"))
	assert.Empty(t, lookupName(t, d, "201"))

	_, err = reloadAfter(t, d, path, "BEGIN:VCARD\nVERSION:4.0\nTEL:202\nEND:VCARD\n", true)
	require.Error(t, err)
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
