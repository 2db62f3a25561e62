package lookup

import (
	"bytes"
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
	out := map[string]Contact{}
	var errs []error
	var card struct {
		in       bool
		line     int
		fn, n    string
		org      string
		tels     []string
		badTel   []string
		anyCards bool
	}
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		prop, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		params := strings.Split(prop, ";")
		name := strings.ToUpper(params[0])
		if _, after, grouped := strings.Cut(name, "."); grouped {
			name = after // item1.TEL
		}
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VCARD"):
			card.in, card.line, card.fn, card.n, card.org, card.tels, card.badTel = true, i+1, "", "", "", nil, nil
			card.anyCards = true
		case !card.in:
		case name == "FN":
			card.fn = vcardText(value)
		case name == "N":
			parts := strings.Split(value, ";")
			if len(parts) > 1 {
				card.n = strings.TrimSpace(vcardText(parts[1]) + " " + vcardText(parts[0]))
			} else {
				card.n = vcardText(parts[0])
			}
		case name == "ORG":
			org, _, _ := strings.Cut(value, ";")
			card.org = vcardText(org)
		case name == "TEL":
			if k := Normalize(vcardText(value)); k != "" {
				card.tels = append(card.tels, k)
			} else {
				card.badTel = append(card.badTel, value)
			}
		case name == "END" && strings.EqualFold(value, "VCARD"):
			card.in = false
			nm := card.fn
			if nm == "" {
				nm = card.n
			}
			for _, bad := range card.badTel {
				errs = append(errs, fmt.Errorf("card at line %d: TEL %q is not a telephone number", card.line, bad))
			}
			if nm == "" && len(card.tels) > 0 {
				errs = append(errs, fmt.Errorf("card at line %d: TEL %s without FN or N", card.line, card.tels[0]))
				continue
			}
			for _, k := range card.tels {
				if _, dup := out[k]; !dup {
					out[k] = Contact{Name: nm, Company: card.org, Source: "directory"}
				}
			}
		}
	}
	if card.in {
		errs = append(errs, fmt.Errorf("card at line %d: no END:VCARD", card.line))
	}
	if !card.anyCards {
		return nil, errors.New("vcard: no BEGIN:VCARD")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, errNoEntries
	}
	return out, nil
}

// vcardText undoes the escapes of a vCard text value.
func vcardText(s string) string {
	return strings.TrimSpace(strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, " ", `\N`, " ", `\\`, `\`).Replace(s))
}
