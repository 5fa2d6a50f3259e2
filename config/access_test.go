package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const accessYAML = `
access:
  allowed_domains: [corp.cn, "@sub.example.com"]
  max_writers: 5
sheets:
  - name: clients
    source:
      google: {spreadsheet_id: abc, endpoint: "http://127.0.0.1:8089/", access_audit: true, attribution: true}
    tab: 客户
    key: [客户编号]
    write_back: {protect: strict}
`

func TestAccessKeys(t *testing.T) {
	c, err := Parse([]byte(accessYAML), "access.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Access{AllowedDomains: []string{"corp.cn", "@sub.example.com"}, MaxWriters: 5}, c.Access); diff != "" {
		t.Errorf("access mismatch (-want +got):\n%s", diff)
	}
	g := c.Sheets[0].Source.Google
	if !g.AccessAudit || !g.Attribution || c.Sheets[0].WriteBack.Protect != ProtectStrict {
		t.Errorf("google = %+v, want access_audit and attribution on", g)
	}
	out, err := c.Redacted()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"access_audit: true", "attribution: true", "max_writers: 5"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("config check output lacks %q:\n%s", want, out)
		}
	}
}

func TestAccessErrors(t *testing.T) {
	bad := strings.Replace(strings.Replace(accessYAML, "corp.cn,", "\"zhang@corp.cn\",", 1), "max_writers: 5", "max_writers: -1", 1)
	if _, err := Parse([]byte(bad), "access.yaml", nil); err == nil {
		t.Fatal("Parse accepted a bad access block")
	}
	bad = strings.Replace(bad, "protect: strict", "protect: lock", 1)
	_, err := Parse([]byte(bad), "access.yaml", nil)
	for _, want := range []string{"access.yaml:3", "access.allowed_domains[0]", "is not a domain", "access.max_writers", "must not be negative",
		"sheets[0].write_back.protect", "unknown \"lock\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
