package tracefile

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
)

// Writer appends lines to a size-capped file with rotation: FILE is written; when the next
// line would make it larger than MaxBytes it becomes FILE.1 (FILE.1 becomes FILE.2 ... up to
// FILE.<MaxFiles-1>, the oldest is removed) and a new FILE starts. A line larger than the
// cap on its own goes alone into a fresh file. It is safe for concurrent use.
type Writer struct {
	path     string
	maxBytes int64
	maxFiles int

	mu     sync.Mutex
	f      *os.File // nil after Close, or after a rotation failed (reopened on the next write)
	size   int64
	closed bool
}

// Create opens path for appending (creating it, with the Header line, when it is new or
// empty). maxBytes must be positive; maxFiles counts FILE itself and is at least 1.
func Create(path string, maxBytes int64, maxFiles int) (*Writer, error) {
	if path == "" {
		return nil, errors.New("tracefile: no file name")
	}
	if maxBytes <= 0 {
		return nil, fmt.Errorf("tracefile: size cap %d must be positive", maxBytes)
	}
	if maxFiles < 1 {
		return nil, fmt.Errorf("tracefile: %d files: want at least 1", maxFiles)
	}
	w := &Writer{path: path, maxBytes: maxBytes, maxFiles: maxFiles}
	if err := w.open(os.O_APPEND); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) open(mode int) error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|mode, 0o640)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	w.f, w.size = f, st.Size()
	if w.size == 0 {
		n, err := f.WriteString(Header)
		w.size += int64(n)
		if err != nil {
			return err
		}
	}
	return nil
}

// Path returns the current file's name.
func (w *Writer) Path() string { return w.path }

// WriteRecord writes one record as a line.
func (w *Writer) WriteRecord(r Record) (int, error) {
	return w.WriteLine(AppendRecord(nil, r))
}

// WriteLine writes one complete line (newline included), rotating first when it would
// exceed the cap. It returns the bytes written to the file, the header of a new file
// included.
func (w *Writer) WriteLine(line []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, os.ErrClosed
	}
	if w.f == nil {
		if err := w.open(os.O_APPEND); err != nil {
			return 0, err
		}
	}
	n0 := w.size
	if w.size > int64(len(Header)) && w.size+int64(len(line)) > w.maxBytes {
		if err := w.rotate(); err != nil {
			return 0, err
		}
		n0 = 0
	}
	n, err := w.f.Write(line)
	w.size += int64(n)
	return int(w.size - n0), err
}

// rotate shifts FILE.i to FILE.i+1, FILE to FILE.1, and starts a new FILE.
func (w *Writer) rotate() error {
	if err := w.f.Close(); err != nil {
		w.f = nil
		return err
	}
	w.f = nil
	if w.maxFiles > 1 {
		_ = os.Remove(w.name(w.maxFiles - 1))
		for i := w.maxFiles - 2; i >= 1; i-- {
			if err := os.Rename(w.name(i), w.name(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		if err := os.Rename(w.path, w.name(1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return w.open(os.O_TRUNC)
}

func (w *Writer) name(i int) string {
	if i == 0 {
		return w.path
	}
	return w.path + "." + strconv.Itoa(i)
}

// Close closes the file; later writes fail with os.ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
