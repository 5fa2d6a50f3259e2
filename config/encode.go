package config

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Redacted returns the effective configuration as YAML, for
// "sheetaudit config check": defaults applied, paths resolved, durations and
// dates written the way the file accepts them, column and stage order kept,
// and secrets masked as <secret>. Empty optional keys are left out.
func (c *Config) Redacted() ([]byte, error) {
	n := encode(reflect.ValueOf(c).Elem())
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	return buf.Bytes(), nil
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func mapping(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func seq(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

// encode turns a config value into a yaml.Node; it mirrors decode.
func encode(v reflect.Value) *yaml.Node {
	switch x := v.Interface().(type) {
	case time.Duration:
		return str(FormatDuration(x))
	case Date:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: x.String()}
	case Secret:
		return str(x.String())
	case Reference:
		if x.Tab == "" {
			return str(x.Column)
		}
		m := mapping(true)
		add(m, "tab", str(x.Tab))
		add(m, "column", str(x.Column))
		return m
	case Columns:
		m := mapping(false)
		for _, col := range x {
			add(m, col.Name, encodeFlowStruct(reflect.ValueOf(col.Rule)))
		}
		return m
	case Stages:
		m := mapping(true)
		for _, s := range x {
			add(m, s.Name, str(FormatDuration(s.Threshold)))
		}
		return m
	case []Condition:
		m := mapping(true)
		for _, c := range x {
			if len(c.Values) == 1 {
				add(m, c.Column, str(c.Values[0]))
			} else {
				add(m, c.Column, encode(reflect.ValueOf(c.Values)))
			}
		}
		return m
	}
	switch v.Kind() {
	case reflect.Pointer:
		return encode(v.Elem())
	case reflect.Struct:
		return encodeStruct(v, mapping(false))
	case reflect.Slice:
		flow := v.Type().Elem().Kind() != reflect.Struct || v.Type().Elem() == dateType
		s := seq(flow)
		for i := range v.Len() {
			s.Content = append(s.Content, encode(v.Index(i)))
		}
		return s
	case reflect.Map:
		m := mapping(false)
		keys := v.MapKeys()
		ks := make([]string, len(keys))
		for i, k := range keys {
			ks[i] = k.String()
		}
		slices.Sort(ks)
		for _, k := range ks {
			add(m, k, encode(v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key()))))
		}
		return m
	case reflect.String:
		return str(v.String())
	case reflect.Int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}
	case reflect.Float64:
		f := v.Float()
		if f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatFloat(f, 'f', -1, 64)}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(f, 'g', -1, 64)}
	case reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool())}
	}
	panic(fmt.Sprintf("config: no encoder for %s", v.Type()))
}

// encodeFlowStruct writes a column rule on one line, as users write them.
func encodeFlowStruct(v reflect.Value) *yaml.Node {
	return encodeStruct(v, mapping(true))
}

func encodeStruct(v reflect.Value, m *yaml.Node) *yaml.Node {
	t := v.Type()
	for _, f := range yamlFields(t) {
		fv := v.Field(f.index)
		tag := t.Field(f.index).Tag.Get("yaml")
		if strings.HasSuffix(tag, ",omitempty") && fv.IsZero() {
			continue
		}
		if fv.Kind() == reflect.Slice && fv.Len() == 0 && strings.HasSuffix(tag, ",omitempty") {
			continue
		}
		add(m, f.name, encode(fv))
	}
	return m
}
