package lookup

import "context"

// Static is a fixed map of numbers to contacts, e.g. the extension names of the
// configuration (pbxs[].names).
type Static struct {
	name    string
	entries map[string]Contact
}

// NewStatic returns a source named name answering from names (number -> name). Numbers are
// normalised; entries whose number is not one (Normalize returns "") are left out.
func NewStatic(name string, names map[string]string) *Static {
	s := &Static{name: name, entries: make(map[string]Contact, len(names))}
	for num, n := range names {
		if k := Normalize(num); k != "" && n != "" {
			s.entries[k] = Contact{Name: n, Source: name}
		}
	}
	return s
}

// Name implements Source.
func (s *Static) Name() string { return s.name }

// Lookup implements Source; it never fails and never blocks.
func (s *Static) Lookup(_ context.Context, number string) (Contact, bool, error) {
	c, ok := s.entries[Normalize(number)]
	return c, ok, nil
}

// Len is the number of entries.
func (s *Static) Len() int { return len(s.entries) }
