package main

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// configSource remembers where each key of a configuration file sits, so that every error,
// also one found by the value checks after decoding, names the file, line and column.
type configSource struct {
	file string
	// nodes maps a key path ("pbxs[1].standby") to its value's node.
	nodes map[string]*yaml.Node
	// lines lists the paths by the line their key or value starts on (TypeError mapping).
	lines map[int][]string
}

// position fills e's file, line and column from the node of its key, or of the nearest
// enclosing key in the file (a required key that is missing points at its entry).
func (s *configSource) position(e *ConfigError) {
	if s == nil || e.Line > 0 {
		return
	}
	e.File = s.file
	for p := e.Key; p != ""; p = parentPath(p) {
		if n, ok := s.nodes[p]; ok {
			e.Line, e.Column = n.Line, n.Column
			return
		}
	}
}

// parentPath strips the last element of a key path: "pbxs[1].tls.ca_file" -> "pbxs[1].tls",
// "pbxs[1]" -> "pbxs", "listen" -> "".
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

var (
	durationType = reflect.TypeOf(time.Duration(0))
	yamlLineRE   = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// parseConfigBytes decodes a configuration file. It first reads the YAML into nodes and walks
// them along FileConfig, so that every unknown key and every value of the wrong type is
// reported at once with its key path, line and column, what is expected and, for a mistyped
// key, the closest valid one. Only then is the file decoded strictly (KnownFields); a yaml.v3
// TypeError that the walk did not foresee is mapped back to the key on its line.
func parseConfigBytes(file string, data []byte) (*FileConfig, *configSource, error) {
	src := &configSource{file: file, nodes: map[string]*yaml.Node{}, lines: map[int][]string{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, src, ConfigErrors{yamlSyntaxError(file, err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || (doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].ShortTag() == "!!null") {
		return nil, src, ConfigErrors{{File: file, Key: "(file)", Reason: "the configuration file is empty; `ctibridge config defaults` prints every key with its default"}}
	}
	w := walker{src: src}
	w.walk(doc.Content[0], reflect.TypeOf(FileConfig{}), "")
	if len(w.errs) > 0 {
		sort.SliceStable(w.errs, func(i, j int) bool {
			a, b := w.errs[i], w.errs[j]
			return a.Line < b.Line || (a.Line == b.Line && a.Column < b.Column)
		})
		return nil, src, w.errs
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c FileConfig
	if err := dec.Decode(&c); err != nil {
		return nil, src, src.decodeErrors(err)
	}
	return &c, src, nil
}

// yamlSyntaxError turns "yaml: line 3: mapping values are not allowed in this context" into
// an error at that line.
func yamlSyntaxError(file string, err error) *ConfigError {
	msg := err.Error()
	e := &ConfigError{File: file, Key: "(file)"}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	e.Reason = "not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")
	return e
}

// decodeErrors maps what yaml.v3's strict decoder reports to the keys on the lines it names.
func (s *configSource) decodeErrors(err error) ConfigErrors {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return ConfigErrors{yamlSyntaxError(s.file, err)}
	}
	var errs ConfigErrors
	for _, m := range te.Errors {
		e := &ConfigError{File: s.file, Key: "(file)", Reason: m}
		if sm := yamlLineRE.FindStringSubmatch(m); sm != nil {
			e.Line, _ = strconv.Atoi(sm[1])
			e.Reason = sm[2]
			if paths := s.lines[e.Line]; len(paths) > 0 {
				e.Key = paths[len(paths)-1]
				n := s.nodes[e.Key]
				e.Column = n.Column
			}
		}
		for goType, want := range map[string]string{"time.Duration": "a duration such as 1s, 500ms or 2m",
			"int": "a whole number", "int64": "a whole number", "float64": "a number", "bool": "true or false"} {
			if strings.HasSuffix(e.Reason, " into "+goType) {
				e.Reason = fmt.Sprintf("%s; want %s", strings.TrimSuffix(e.Reason, " into "+goType), want)
			}
		}
		errs = append(errs, e)
	}
	return errs
}

type walker struct {
	src  *configSource
	errs ConfigErrors
}

func (w *walker) bad(n *yaml.Node, key, format string, args ...any) {
	w.errs = append(w.errs, &ConfigError{File: w.src.file, Line: n.Line, Column: n.Column, Key: key,
		Reason: fmt.Sprintf(format, args...)})
}

func (w *walker) record(path string, n *yaml.Node, keyLine int) {
	if path == "" {
		return
	}
	w.src.nodes[path] = n
	w.src.lines[keyLine] = append(w.src.lines[keyLine], path)
	if n.Line != keyLine {
		w.src.lines[n.Line] = append(w.src.lines[n.Line], path)
	}
}

// walk checks node n against Go type t at key path.
func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value keeps the default
	}
	label := path
	if label == "" {
		label = "(top level)"
	}
	switch {
	case t == durationType:
		w.walkDuration(n, label)
	case t.Kind() == reflect.Struct:
		w.walkStruct(n, t, path, label)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.bad(n, label, "want a list (`- item` lines or [a, b]), not %s", kindName(n))
			return
		}
		for i, e := range n.Content {
			ep := fmt.Sprintf("%s[%d]", path, i)
			w.record(ep, e, e.Line)
			w.walk(e, t.Elem(), ep)
		}
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.bad(n, label, "want a mapping such as {\"201\": \"Alice\"}, not %s", kindName(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			kp := path + "." + n.Content[i].Value
			w.record(kp, n.Content[i+1], n.Content[i].Line)
			w.walk(n.Content[i+1], t.Elem(), kp)
		}
	default:
		w.walkScalar(n, t, label)
	}
}

// walkDuration checks a duration: a string with a unit, or 0.
func (w *walker) walkDuration(n *yaml.Node, label string) {
	if n.Kind != yaml.ScalarNode {
		w.bad(n, label, "want a duration such as 1s, 500ms or 2m, not %s", kindName(n))
		return
	}
	if n.ShortTag() == "!!int" && n.Value == "0" {
		return
	}
	if n.ShortTag() != "!!str" {
		w.bad(n, label, "%s has no unit; want a duration such as 1s, 500ms or 2m", n.Value)
		return
	}
	if _, err := time.ParseDuration(n.Value); err != nil {
		w.bad(n, label, "%q is not a duration; want a duration such as 1s, 500ms or 2m", n.Value)
	}
}

// walkStruct checks a mapping against struct t: known keys, each once, merges followed.
func (w *walker) walkStruct(n *yaml.Node, t reflect.Type, path, label string) {
	if n.Kind != yaml.MappingNode {
		w.bad(n, label, "want a mapping with the keys %s, not %s", strings.Join(structKeys(t), ", "), kindName(n))
		return
	}
	fields := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name != "" {
			fields[name] = t.Field(i)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "<<" && k.ShortTag() == "!!merge" {
			w.walkMerge(v, t, path)
			continue
		}
		kp := joinPath(path, k.Value)
		f, ok := fields[k.Value]
		if !ok {
			w.bad(k, kp, "%s", unknownKeyReason(k.Value, structKeys(t)))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			w.bad(k, kp, "is given twice (first on line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		w.record(kp, v, k.Line)
		w.walk(v, f.Type, kp)
	}
}

func (w *walker) walkMerge(v *yaml.Node, t reflect.Type, path string) {
	for v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind == yaml.SequenceNode {
		for _, e := range v.Content {
			w.walk(e, t, path)
		}
		return
	}
	w.walk(v, t, path)
}

func (w *walker) walkScalar(n *yaml.Node, t reflect.Type, label string) {
	if n.Kind != yaml.ScalarNode {
		w.bad(n, label, "want %s, not %s", scalarWant(t), kindName(n))
		return
	}
	tag := n.ShortTag()
	ok := true
	switch t.Kind() {
	case reflect.String:
		ok = tag != "!!binary"
	case reflect.Bool:
		ok = tag == "!!bool"
	case reflect.Int, reflect.Int64, reflect.Int32:
		if tag == "!!int" {
			_, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
			ok = err == nil
		} else {
			ok = false
		}
	case reflect.Float64, reflect.Float32:
		ok = tag == "!!int" || tag == "!!float"
	}
	if !ok {
		w.bad(n, label, "%q is not %s", n.Value, scalarWant(t))
	}
}

func scalarWant(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a text value"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number such as 0.2"
	}
	return t.String()
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("the value %q", n.Value)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || name == "" {
		return ""
	}
	return name
}

// structKeys lists the YAML keys of struct type t, in declaration order.
func structKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

// unknownKeyReason suggests the valid key closest to key, or lists the valid keys.
func unknownKeyReason(key string, valid []string) string {
	best, bestD := "", -1
	for _, v := range valid {
		d := editDistance(strings.ToLower(key), v)
		if bestD < 0 || d < bestD {
			best, bestD = v, d
		}
	}
	limit := 2
	if l := len(key) / 3; l > limit {
		limit = l
	}
	if bestD >= 0 && bestD <= limit {
		return fmt.Sprintf("unknown key; did you mean `%s`?", best)
	}
	for _, v := range valid { // "standby_addr" for "standby"
		if strings.HasPrefix(key, v) || strings.HasPrefix(v, key) {
			return fmt.Sprintf("unknown key; did you mean `%s`?", v)
		}
	}
	return "unknown key; valid keys here: " + strings.Join(valid, ", ")
}

// editDistance is the Damerau-Levenshtein (optimal string alignment) distance of a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
