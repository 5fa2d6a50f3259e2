package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Check is a check that another package makes of a parsed configuration,
// such as the rule engine's compile of every sheet's rules. It returns nil,
// or Errors located with ErrorAt; Parse reports them with the file's own
// problems, in file order, so that a user fixes all of them in one round.
// A check also runs when the file has other problems: what it reports at
// a key that already has an error, or under a key that could not be
// decoded, is dropped.
type Check func(*Config) error

// Load reads and parses the configuration file at path; see Parse.
func Load(path string, getenv func(string) string, checks ...Check) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, path, getenv, checks...)
}

// Parse decodes a configuration file's content strictly, applies defaults,
// expands ${VAR} through getenv (nil means no variable is set), resolves
// relative paths against filename's folder, validates the result and runs
// checks. filename is also the name used in error messages.
//
// On failure the error is an Errors listing every problem found, each with
// its position and key path.
func Parse(data []byte, filename string, getenv func(string) string, checks ...Check) (*Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Errors{syntaxError(filename, err)}
	}
	c := Default()
	d := &decoder{file: filename, getenv: getenv, pos: map[string]position{}}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		d.decode(doc.Content[0], reflect.ValueOf(c).Elem(), "")
	}
	c.pos, c.file = d.pos, filename
	c.localeDefaults(func(path string) bool { _, ok := d.pos[path]; return ok })
	c.resolvePaths(filepath.Dir(filename))

	errs := d.errs
	if err := c.validate(filename); err != nil {
		for _, e := range err.(Errors) {
			if !d.covers(e.Path) {
				errs = append(errs, e)
			}
		}
	}
	reported := map[string]bool{}
	for _, e := range errs {
		reported[e.Path] = true
	}
	for _, check := range checks {
		err := check(c)
		var es Errors
		switch {
		case err == nil:
			continue
		case !errors.As(err, &es):
			es = Errors{{File: filename, Msg: err.Error(), Err: err}}
		}
		for _, e := range es {
			if !d.covers(e.Path) && !reported[e.Path] {
				reported[e.Path] = true
				errs = append(errs, e)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return c, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a yaml.v3 error into a FieldError with its line.
func syntaxError(file string, err error) *FieldError {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &FieldError{File: file, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return &FieldError{File: file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

type position struct{ line, col int }

// decoder walks a yaml.Node tree against the config structs, collecting an
// error for every problem instead of stopping at the first.
type decoder struct {
	file   string
	getenv func(string) string
	errs   Errors
	pos    map[string]position
	// bad holds the paths that had a decode error, so that Validate does not
	// report them a second time.
	bad []string
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{
		File: d.file, Line: n.Line, Column: n.Column, Path: path,
		Msg: fmt.Sprintf(format, args...),
	})
	d.bad = append(d.bad, path)
}

// covers reports whether path is at or under a path that had a decode error.
func (d *decoder) covers(path string) bool {
	for _, b := range d.bad {
		if b == "" || path == b || strings.HasPrefix(path, b+".") || strings.HasPrefix(path, b+"[") {
			return true
		}
	}
	return false
}

func (d *decoder) record(path string, n *yaml.Node) {
	d.pos[path] = position{n.Line, n.Column}
}

var (
	durationType  = reflect.TypeFor[time.Duration]()
	dateType      = reflect.TypeFor[Date]()
	referenceType = reflect.TypeFor[Reference]()
	columnsType   = reflect.TypeFor[Columns]()
	stagesType    = reflect.TypeFor[Stages]()
	whenType      = reflect.TypeFor[[]Condition]()
)

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = deref(n)
	switch v.Type() {
	case durationType:
		d.parsed(n, v, path, "a duration such as 30d or 15m", func(s string) (any, error) { return ParseDuration(s) })
		return
	case dateType:
		d.parsed(n, v, path, "a date such as 2026-10-01", func(s string) (any, error) { return ParseDate(s) })
		return
	case referenceType:
		d.decodeReference(n, v, path)
		return
	case columnsType:
		d.decodeColumns(n, v, path)
		return
	case stagesType:
		d.decodeStages(n, v, path)
		return
	case whenType:
		d.decodeWhen(n, v, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		if df, ok := p.Interface().(defaulter); ok {
			df.setDefaults()
		}
		d.decode(n, p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.String:
		if s, ok := d.scalar(n, path, "a string"); ok {
			v.SetString(s)
		}
	case reflect.Int:
		d.parsed(n, v, path, "an integer", func(s string) (any, error) {
			i, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("expected an integer, got %q", s)
			}
			return i, nil
		})
	case reflect.Float64:
		d.parsed(n, v, path, "a number", func(s string) (any, error) {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("expected a number, got %q", s)
			}
			return f, nil
		})
	case reflect.Bool:
		d.parsed(n, v, path, "true or false", func(s string) (any, error) {
			switch strings.ToLower(s) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
			return nil, fmt.Errorf("expected true or false, got %q", s)
		})
	default:
		panic(fmt.Sprintf("config: no decoder for %s", v.Type()))
	}
}

// parsed decodes a scalar with parse and stores the result in v. A null
// value leaves the zero value.
func (d *decoder) parsed(n *yaml.Node, v reflect.Value, path, want string, parse func(string) (any, error)) {
	if isNull(n) {
		v.SetZero()
		return
	}
	s, ok := d.scalar(n, path, want)
	if !ok {
		return
	}
	x, err := parse(s)
	if err != nil {
		d.fail(n, path, "%v", err)
		return
	}
	v.Set(reflect.ValueOf(x).Convert(v.Type()))
}

// scalar returns n's value with ${VAR} expanded, or reports that a scalar
// was expected.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected %s, got %s", want, kindName(n))
		return "", false
	}
	if isNull(n) {
		return "", true
	}
	s, err := expandEnv(n.Value, d.getenv)
	if err != nil {
		d.fail(n, path, "%v", err)
		return "", false
	}
	return s, true
}

// pair is one key and value of a mapping, after merge keys are applied.
type pair struct{ key, value *yaml.Node }

// pairs returns the entries of mapping n, with the entries of merged
// mappings (<<: *anchor) first unless n sets the same key itself. Keys that
// are not scalars are reported and skipped.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	own := map[string]bool{}
	var merges []*yaml.Node
	var out []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, deref(val))
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "keys must be plain strings, got %s", kindName(k))
			continue
		}
		own[k.Value] = true
		out = append(out, pair{k, val})
	}
	var merged []pair
	seen := map[string]bool{}
	var add func(m *yaml.Node)
	add = func(m *yaml.Node) {
		m = deref(m)
		switch m.Kind {
		case yaml.MappingNode:
			for _, p := range d.pairs(m, path) {
				if !own[p.key.Value] && !seen[p.key.Value] {
					seen[p.key.Value] = true
					merged = append(merged, p)
				}
			}
		case yaml.SequenceNode:
			for _, c := range m.Content {
				add(c)
			}
		default:
			d.fail(m, path, "<< must merge a mapping, got %s", kindName(m))
		}
	}
	for _, m := range merges {
		add(m)
	}
	return append(merged, out...)
}

// mapping checks that n is a mapping (null counts as empty) and returns its
// entries, reporting duplicate keys.
func (d *decoder) mapping(n *yaml.Node, path, what string) ([]pair, bool) {
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected %s, got %s", what, kindName(n))
		return nil, false
	}
	ps := d.pairs(n, path)
	first := map[string]*yaml.Node{}
	out := ps[:0]
	for _, p := range ps {
		if prev, dup := first[p.key.Value]; dup {
			d.fail(p.key, joinPath(path, p.key.Value), "duplicate key (first at line %d)", prev.Line)
			continue
		}
		first[p.key.Value] = p.key
		out = append(out, p)
	}
	return out, true
}

type fieldInfo struct {
	index int
	name  string
}

// yamlFields lists t's fields that have a yaml tag, in declaration order.
func yamlFields(t reflect.Type) []fieldInfo {
	var fs []fieldInfo
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if !f.IsExported() || tag == "" || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		fs = append(fs, fieldInfo{i, name})
	}
	return fs
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	ps, ok := d.mapping(n, path, "a mapping")
	if !ok {
		return
	}
	fs := yamlFields(v.Type())
	names := make([]string, len(fs))
	byName := map[string]int{}
	for i, f := range fs {
		names[i] = f.name
		byName[f.name] = f.index
	}
	for _, p := range ps {
		key := p.key.Value
		fp := joinPath(path, key)
		idx, ok := byName[key]
		if !ok && path == "" && strings.HasPrefix(key, "x-") {
			// Top-level x- keys hold YAML anchors for reuse, as in Compose files.
			continue
		}
		if !ok {
			d.fail(p.key, fp, "unknown key%s", audit.Suggest(key, names))
			continue
		}
		d.record(fp, p.key)
		d.decode(p.value, v.Field(idx), fp)
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		v.SetZero()
		return
	}
	if n.Kind != yaml.SequenceNode {
		hint := ""
		if n.Kind == yaml.ScalarNode && v.Type().Elem().Kind() == reflect.String {
			hint = fmt.Sprintf(" (write [%s])", n.Value)
		}
		d.fail(n, path, "expected a list, got %s%s", kindName(n), hint)
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		ip := fmt.Sprintf("%s[%d]", path, i)
		d.record(ip, item)
		e := s.Index(i)
		if df, ok := e.Addr().Interface().(defaulter); ok {
			df.setDefaults()
		}
		d.decode(item, e, ip)
	}
	v.Set(s)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	ps, ok := d.mapping(n, path, "a mapping")
	if !ok {
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(ps))
	for _, p := range ps {
		kp := joinPath(path, p.key.Value)
		d.record(kp, p.key)
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(p.value, e, kp)
		m.SetMapIndex(reflect.ValueOf(p.key.Value).Convert(v.Type().Key()), e)
	}
	v.Set(m)
}

// decodeReference accepts a column name or a {tab, column} mapping.
func (d *decoder) decodeReference(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.ScalarNode {
		if s, ok := d.scalar(n, path, "a column name"); ok {
			v.Set(reflect.ValueOf(Reference{Column: s}))
		}
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a column name or {tab: …, column: …}, got %s", kindName(n))
		return
	}
	before := len(d.errs)
	d.decodeStruct(n, v, path)
	if len(d.errs) > before {
		return
	}
	r := v.Interface().(Reference)
	if r.Tab == "" || r.Column == "" {
		d.fail(n, path, "a reference to another tab needs both tab and column (or write just a column name of this tab)")
	}
}

// decodeOrdered reads a mapping whose order matters (columns, stages,
// conditions) into a slice, one entry per key, recording each key's place.
func decodeOrdered[T any](d *decoder, n *yaml.Node, path, what string, entry func(key string, value *yaml.Node, path string) T) []T {
	ps, ok := d.mapping(n, path, what)
	if !ok {
		return nil
	}
	out := make([]T, 0, len(ps))
	for _, p := range ps {
		kp := joinPath(path, p.key.Value)
		d.record(kp, p.key)
		out = append(out, entry(p.key.Value, p.value, kp))
	}
	return out
}

func (d *decoder) decodeColumns(n *yaml.Node, v reflect.Value, path string) {
	cols := decodeOrdered(d, n, path, "a mapping of column names to rules", func(key string, value *yaml.Node, kp string) Column {
		c := Column{Name: key}
		c.Rule.setDefaults()
		d.decode(value, reflect.ValueOf(&c.Rule).Elem(), kp)
		return c
	})
	if cols != nil {
		v.Set(reflect.ValueOf(Columns(cols)))
	}
}

func (d *decoder) decodeStages(n *yaml.Node, v reflect.Value, path string) {
	st := decodeOrdered(d, n, path, "a mapping of stages to durations", func(key string, value *yaml.Node, kp string) Stage {
		s := Stage{Name: key}
		d.decode(value, reflect.ValueOf(&s.Threshold).Elem(), kp)
		return s
	})
	if st != nil {
		v.Set(reflect.ValueOf(Stages(st)))
	}
}

// decodeWhen reads a mapping of column to value or list of values.
func (d *decoder) decodeWhen(n *yaml.Node, v reflect.Value, path string) {
	cs := decodeOrdered(d, n, path, "a mapping of columns to values", func(key string, value *yaml.Node, kp string) Condition {
		c := Condition{Column: key}
		val := deref(value)
		switch {
		case isNull(val):
			d.fail(val, kp, "needs a value or a list of values (write \"\" for a blank cell)")
		case val.Kind == yaml.SequenceNode:
			d.decode(val, reflect.ValueOf(&c.Values).Elem(), kp)
		default:
			if s, ok := d.scalar(val, kp, "a value or a list of values"); ok {
				c.Values = []string{s}
			}
		}
		return c
	})
	if cs != nil {
		v.Set(reflect.ValueOf(cs))
	}
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// joinPath appends key to a key path: .key for plain names (any script),
// ["key"] for names with dots, spaces or other punctuation.
func joinPath(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return fmt.Sprintf("%s[%q]", path, key)
	case path == "":
		return key
	default:
		return path + "." + key
	}
}

// expandEnv replaces ${NAME} and ${NAME:-default} in s; "$${" stands for a
// literal "${".
func expandEnv(s string, getenv func(string) string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf(`unterminated "${" (write "$${" for a literal "${")`)
		}
		name, def, hasDef := strings.Cut(s[i+2:i+end], ":-")
		if !envName.MatchString(name) {
			return "", fmt.Errorf("invalid environment variable name %q", name)
		}
		val := getenv(name)
		if val == "" {
			if !hasDef {
				return "", fmt.Errorf("environment variable %s is not set (or write ${%s:-default})", name, name)
			}
			val = def
		}
		b.WriteString(val)
		s = s[i+end+1:]
	}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// resolvePaths makes relative file paths relative to dir, the config file's
// folder.
func (c *Config) resolvePaths(dir string) {
	rel := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	if !strings.Contains(c.Store, "://") {
		rel(&c.Store)
	}
	if e := c.Report.Email; e != nil {
		rel(&e.PasswordFile)
	}
	for i := range c.Credentials {
		rel(&c.Credentials[i].File)
	}
	for i := range c.Sheets {
		s := &c.Sheets[i]
		rel(&s.Source.XLSX)
		rel(&s.Schema)
		if g := s.Source.Google; g != nil {
			rel(&g.CredentialsFile)
		}
	}
}
