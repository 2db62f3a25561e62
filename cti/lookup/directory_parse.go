package lookup

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ParseCSV reads a directory in CSV: a header row naming the columns, with "number" and
// "name" required and "company" optional (other columns are ignored; names are not case
// sensitive), then one contact per row. Fields are separated by ',' or, when the header has
// ';' and no ',', by ';' (as spreadsheets write it in many locales). A number that appears
// twice keeps its first contact. Rows whose number is not a telephone number are refused
// with their line.
func ParseCSV(data []byte) (map[string]Contact, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	header, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	if bytes.ContainsRune(header, ';') && !bytes.ContainsRune(header, ',') {
		r.Comma = ';'
	}
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	cols, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	idx := func(name string) int {
		return slices.IndexFunc(cols, func(c string) bool { return strings.EqualFold(strings.TrimSpace(c), name) })
	}
	num, name, company := idx("number"), idx("name"), idx("company")
	if num < 0 || name < 0 {
		return nil, fmt.Errorf("csv header %q: want columns number and name (and optionally company)", strings.Join(cols, string(r.Comma)))
	}
	out := map[string]Contact{}
	var errs []error
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		field := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		n, nm := field(num), field(name)
		if n == "" && nm == "" {
			continue
		}
		k := Normalize(n)
		switch {
		case k == "":
			errs = append(errs, fmt.Errorf("line %d: %q is not a telephone number", line, n))
			continue
		case nm == "":
			errs = append(errs, fmt.Errorf("line %d: number %s has no name", line, n))
			continue
		}
		if _, dup := out[k]; !dup {
			out[k] = Contact{Name: nm, Company: field(company), Source: "directory"}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, errNoEntries
	}
	return out, nil
}

// ParseVCard reads a directory of vCards (3.0 or 4.0): every TEL of a card maps to its FN
// (or, without FN, to the given and family names of N) and the first component of ORG. Folded
// lines are joined and \, \; \n escapes undone. A number that appears twice keeps its first
// contact; a card with a TEL but no name is refused.
func ParseVCard(data []byte) (map[string]Contact, error) {
	text := strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\ufeff"))), "\r\n", "\n")
	text = strings.NewReplacer("\n ", "", "\n\t", "").Replace(text) // unfold (RFC 6350 §3.2)
	p := vcardParser{out: map[string]Contact{}}
	for i, raw := range strings.Split(text, "\n") {
		prop, value, ok := strings.Cut(strings.TrimSpace(raw), ":")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(strings.ToUpper(prop), ";")
		if _, after, grouped := strings.Cut(name, "."); grouped {
			name = after // item1.TEL
		}
		p.property(i+1, name, value)
	}
	if p.in {
		p.errs = append(p.errs, fmt.Errorf("card at line %d: no END:VCARD", p.card.line))
	}
	switch {
	case !p.anyCards:
		return nil, errors.New("vcard: no BEGIN:VCARD")
	case len(p.errs) > 0:
		return nil, errors.Join(p.errs...)
	case len(p.out) == 0:
		return nil, errNoEntries
	}
	return p.out, nil
}

// vcardParser is ParseVCard's state: the card being read and what the cards gave so far.
type vcardParser struct {
	in       bool
	anyCards bool
	card     vcard
	out      map[string]Contact
	errs     []error
}

// vcard is what one card says.
type vcard struct {
	line       int
	fn, n, org string
	tels       []string
	badTels    []string
}

// property takes one content line of a card.
func (p *vcardParser) property(line int, name, value string) {
	c := &p.card
	switch {
	case name == "BEGIN" && strings.EqualFold(value, "VCARD"):
		p.in, p.anyCards, p.card = true, true, vcard{line: line}
	case !p.in:
	case name == "FN":
		c.fn = vcardText(value)
	case name == "N":
		family, rest, _ := strings.Cut(value, ";")
		given, _, _ := strings.Cut(rest, ";")
		c.n = strings.TrimSpace(vcardText(given) + " " + vcardText(family))
	case name == "ORG":
		org, _, _ := strings.Cut(value, ";")
		c.org = vcardText(org)
	case name == "TEL":
		if k := Normalize(vcardText(value)); k != "" {
			c.tels = append(c.tels, k)
		} else {
			c.badTels = append(c.badTels, value)
		}
	case name == "END" && strings.EqualFold(value, "VCARD"):
		p.in = false
		p.end()
	}
}

// end files the card just read.
func (p *vcardParser) end() {
	c := p.card
	for _, bad := range c.badTels {
		p.errs = append(p.errs, fmt.Errorf("card at line %d: TEL %q is not a telephone number", c.line, bad))
	}
	name := cmp.Or(c.fn, c.n)
	if name == "" && len(c.tels) > 0 {
		p.errs = append(p.errs, fmt.Errorf("card at line %d: TEL %s without FN or N", c.line, c.tels[0]))
		return
	}
	for _, k := range c.tels {
		if _, dup := p.out[k]; !dup {
			p.out[k] = Contact{Name: name, Company: c.org, Source: "directory"}
		}
	}
}

// vcardText undoes the escapes of a vCard text value.
func vcardText(s string) string {
	return strings.TrimSpace(strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, " ", `\N`, " ", `\\`, `\`).Replace(s))
}
