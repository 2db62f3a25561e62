package lookup

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultDirectoryPoll is how often a directory file is checked for changes.
const DefaultDirectoryPoll = 2 * time.Second

// Directory answers from a CSV or vCard file (see ParseCSV, ParseVCard), read again when it
// changes: Run checks the file's modification time, size and identity every Poll, so a file
// rewritten in place or replaced by a rename is picked up. A file that cannot be read or
// parsed leaves the entries as they were; LastError says why.
type Directory struct {
	path string
	poll time.Duration
	// OnReload, when set, is called after every successful reload (a Resolver's Purge, so
	// that no cached answer outlives the file it came from). Set it before Run.
	OnReload func(entries int)
	// OnError, when set, is told when a reload fails and the old entries stay.
	OnError func(error)

	entries atomic.Pointer[map[string]Contact]
	mu      sync.Mutex
	stamp   fileStamp
	lastErr error
	loads   atomic.Uint64
}

// fileStamp tells whether a file changed since it was read.
type fileStamp struct {
	info os.FileInfo
	sum  [sha256.Size]byte
}

// racyWindow: a file whose modification time is this recent may be written again without
// its time or size changing (file systems stamp with a coarse clock), so its content is
// compared instead, as git does with "racily clean" files.
const racyWindow = 2 * time.Second

func (s fileStamp) same(fi os.FileInfo) bool {
	return s.info != nil && os.SameFile(s.info, fi) && s.info.ModTime().Equal(fi.ModTime()) &&
		s.info.Size() == fi.Size() && time.Since(fi.ModTime()) > racyWindow
}

// NewDirectory reads path and returns a source answering from it; poll is how often Run
// checks the file (DefaultDirectoryPoll when zero or less). The format follows the file name
// (.csv, .vcf or .vcard); other names are read as vCard when they start with BEGIN:VCARD, as
// CSV otherwise.
func NewDirectory(path string, poll time.Duration) (*Directory, error) {
	if poll <= 0 {
		poll = DefaultDirectoryPoll
	}
	d := &Directory{path: path, poll: poll}
	if _, err := d.reload(); err != nil {
		return nil, err
	}
	return d, nil
}

// Name implements Source.
func (d *Directory) Name() string { return "directory" }

// Lookup implements Source; it never blocks.
func (d *Directory) Lookup(_ context.Context, number string) (Contact, bool, error) {
	c, ok := (*d.entries.Load())[Normalize(number)]
	return c, ok, nil
}

// Len is the number of numbers the file gave.
func (d *Directory) Len() int { return len(*d.entries.Load()) }

// Loads counts the successful reads of the file, the first one included.
func (d *Directory) Loads() uint64 { return d.loads.Load() }

// LastError is why the last reload failed, nil after a successful one.
func (d *Directory) LastError() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastErr
}

// Run checks the file every Poll and reloads it when it changed, until ctx ends.
func (d *Directory) Run(ctx context.Context) error {
	t := time.NewTicker(d.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		n, err := d.reload()
		switch {
		case err != nil:
			if d.OnError != nil {
				d.OnError(err)
			}
		case n >= 0 && d.OnReload != nil:
			d.OnReload(n)
		}
	}
}

// reload reads the file if it changed since the last read. It returns the number of entries
// read, -1 when the file had not changed.
func (d *Directory) reload() (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fi, err := os.Stat(d.path)
	if err != nil {
		d.lastErr = fmt.Errorf("lookup: directory: %w", err)
		return 0, d.lastErr
	}
	if d.stamp.same(fi) {
		return -1, nil
	}
	data, err := os.ReadFile(d.path)
	if err != nil {
		d.lastErr = fmt.Errorf("lookup: directory: %w", err)
		return 0, d.lastErr
	}
	sum := sha256.Sum256(data)
	if d.stamp.info != nil && sum == d.stamp.sum {
		d.stamp.info = fi
		return -1, nil
	}
	var entries map[string]Contact
	if isVCard(d.path, data) {
		entries, err = ParseVCard(data)
	} else {
		entries, err = ParseCSV(data)
	}
	if err != nil {
		d.lastErr = fmt.Errorf("lookup: directory %s: %w", d.path, err)
		return 0, d.lastErr
	}
	d.entries.Store(&entries)
	d.stamp = fileStamp{info: fi, sum: sum}
	d.lastErr = nil
	d.loads.Add(1)
	return len(entries), nil
}

func isVCard(path string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".vcf", ".vcard":
		return true
	case ".csv":
		return false
	}
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(string(data[:min(len(data), 64)]))), "BEGIN:VCARD")
}

// errNoEntries refuses a file that gives no number at all: more likely a file half written or
// of the wrong kind than an empty directory, and it would drop every name at once.
var errNoEntries = errors.New("no entries with a number and a name")
