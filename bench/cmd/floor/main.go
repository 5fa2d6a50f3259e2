// Command floor is the benchmark's floor: the least any Sheets client must
// do to have a sheet's values in memory. It replays the read requests a
// sheetaudit cycle made (as recorded by bench/cmd/tap) against the same
// server and decodes each JSON answer with encoding/json, nothing else: no
// table, no snapshot, no diff.
//
//	floor -into string -replay http://127.0.0.1:PORT/,cycle1.log.json -replay …,cycle2.log.json
//
// Every decoded answer is kept until the end, as a diff must hold both
// versions, so the peak RSS measured around it is the floor's memory too.
// -into string decodes cells into [][]string (a client that knows
// FORMATTED_VALUE answers only strings); -into any into [][]any, as the
// generated Google client does. A spreadsheets.get of grid data (sheets'
// one read of displayed and typed values) decodes into a struct of the
// masked CellData fields, or into any. It prints a JSON summary.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type replays []string

func (r *replays) String() string     { return strings.Join(*r, " ") }
func (r *replays) Set(v string) error { *r = append(*r, v); return nil }

// request is the part of a tap log entry the floor needs.
type request struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
}

type valueRange[T any] struct {
	Range          string `json:"range"`
	MajorDimension string `json:"majorDimension"`
	Values         [][]T  `json:"values"`
}

type batch[T any] struct {
	SpreadsheetID string          `json:"spreadsheetId"`
	ValueRanges   []valueRange[T] `json:"valueRanges"`
}

// grid is a spreadsheets.get answer of grid data under sheets' gridFields.
type grid struct {
	Sheets []struct {
		Data []struct {
			RowData []struct {
				Values []struct {
					FormattedValue string `json:"formattedValue"`
					EffectiveValue *struct {
						NumberValue *float64 `json:"numberValue"`
						BoolValue   *bool    `json:"boolValue"`
					} `json:"effectiveValue"`
				} `json:"values"`
			} `json:"rowData"`
		} `json:"data"`
	} `json:"sheets"`
}

// summary is what floor prints.
type summary struct {
	Into     string `json:"into"`
	Requests int    `json:"requests"`
	Bytes    int64  `json:"bytes"`
	Cells    int64  `json:"cells"`
	WallNS   int64  `json:"wall_ns"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var rs replays
	fs.Var(&rs, "replay", "BASEURL,TAPLOG: replay the GET requests of TAPLOG against BASEURL (repeatable)")
	into := fs.String("into", "string", "decode cells into string or any")
	tab := fs.String("tab", "", "replay only the reads of this tab (and one metadata read per log); empty: every GET")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if len(rs) == 0 || (*into != "string" && *into != "any") {
		fmt.Fprintln(stderr, "floor: need at least one -replay BASEURL,TAPLOG and -into string|any")
		return 2
	}
	start := time.Now()
	sum := summary{Into: *into}
	var keep []any
	client := &http.Client{}
	for _, r := range rs {
		base, logPath, ok := strings.Cut(r, ",")
		if !ok {
			fmt.Fprintf(stderr, "floor: -replay %q: want BASEURL,TAPLOG\n", r)
			return 2
		}
		reqs, err := readLog(logPath)
		if err != nil {
			fmt.Fprintf(stderr, "floor: %v\n", err)
			return 1
		}
		meta := false
		for _, q := range reqs {
			if q.Method != http.MethodGet || q.Status != http.StatusOK {
				continue
			}
			if *tab != "" {
				isMeta, ok := readsTab(q.URL, *tab)
				if !ok || (isMeta && meta) {
					continue
				}
				meta = meta || isMeta
			}
			v, n, cells, err := fetch(client, strings.TrimSuffix(base, "/")+q.URL, *into)
			if err != nil {
				fmt.Fprintf(stderr, "floor: %v\n", err)
				return 1
			}
			keep = append(keep, v)
			sum.Requests++
			sum.Bytes += n
			sum.Cells += cells
		}
	}
	sum.WallNS = time.Since(start).Nanoseconds()
	runtime.KeepAlive(keep)
	b, _ := json.Marshal(sum)
	fmt.Fprintln(stdout, string(b))
	return 0
}

// readsTab reports whether the request reads values of tab only, or is a
// spreadsheets.get (metadata), which any reader needs once for the grid.
func readsTab(rawURL, tab string) (isMeta, ok bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false, false
	}
	var ranges []string
	switch {
	case strings.HasSuffix(u.Path, "values:batchGet"):
		ranges = u.Query()["ranges"]
	case u.Query().Has("ranges"): // spreadsheets.get of grid data
		ranges = u.Query()["ranges"]
	case strings.Contains(u.Path, "/values/"):
		r, err := url.PathUnescape(u.EscapedPath()[strings.Index(u.EscapedPath(), "/values/")+len("/values/"):])
		if err != nil {
			return false, false
		}
		ranges = []string{r}
	default:
		return true, true
	}
	quoted := "'" + strings.ReplaceAll(tab, "'", "''") + "'!"
	for _, r := range ranges {
		if !strings.HasPrefix(r, quoted) && !strings.HasPrefix(r, tab+"!") && r != tab {
			return false, false
		}
	}
	return false, len(ranges) > 0
}

func readLog(path string) ([]request, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read tap log: %w", err)
	}
	var l struct {
		Requests []request `json:"requests"`
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("tap log %q: %w", path, err)
	}
	return l.Requests, nil
}

// countingReader counts the bytes the decoder reads.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// fetch GETs url and decodes the answer as the method's response type.
func fetch(client *http.Client, url, into string) (any, int64, int64, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("get %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, 0, fmt.Errorf("get %s: %s", url, resp.Status)
	}
	body := &countingReader{r: resp.Body}
	dec := json.NewDecoder(body)
	var v any
	var cells int64
	switch {
	case strings.Contains(url, "values:batchGet") && into == "string":
		var b batch[string]
		err = dec.Decode(&b)
		for _, vr := range b.ValueRanges {
			cells += count(vr.Values)
		}
		v = b
	case strings.Contains(url, "values:batchGet"):
		var b batch[any]
		err = dec.Decode(&b)
		for _, vr := range b.ValueRanges {
			cells += count(vr.Values)
		}
		v = b
	case strings.Contains(url, "/values/") && into == "string":
		var vr valueRange[string]
		err = dec.Decode(&vr)
		cells, v = count(vr.Values), vr
	case strings.Contains(url, "/values/"):
		var vr valueRange[any]
		err = dec.Decode(&vr)
		cells, v = count(vr.Values), vr
	case strings.Contains(url, "ranges=") && into == "string":
		// spreadsheets.get of grid data, displayed and typed values
		// (sheets' gridFields): the cells' own type, as for values.
		var g grid
		err = dec.Decode(&g)
		for _, s := range g.Sheets {
			for _, d := range s.Data {
				for _, r := range d.RowData {
					cells += int64(len(r.Values))
				}
			}
		}
		v = g
	default: // spreadsheets.get: metadata, or grid data into any
		var m map[string]any
		err = dec.Decode(&m)
		cells, v = gridCells(m), m
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("decode %s: %w", url, err)
	}
	_, _ = io.Copy(io.Discard, body) // trailing white space
	return v, body.n, cells, nil
}

func count[T any](rows [][]T) int64 {
	var n int64
	for _, r := range rows {
		n += int64(len(r))
	}
	return n
}

// gridCells counts the cells of a spreadsheets.get answer decoded into
// any: those of sheets[].data[].rowData[].values, none for metadata.
func gridCells(m map[string]any) int64 {
	var n int64
	list := func(v any, key string) []any {
		o, _ := v.(map[string]any)
		l, _ := o[key].([]any)
		return l
	}
	for _, s := range list(m, "sheets") {
		for _, d := range list(s, "data") {
			for _, r := range list(d, "rowData") {
				n += int64(len(list(r, "values")))
			}
		}
	}
	return n
}
