package config

import (
	"fmt"
	"strings"
)

// Access is what the sharing of an audited Google file may be (权限管理).
type Access struct {
	// AllowedDomains are the e-mail domains users and groups may belong to
	// (corp.cn also allows its subdomains); empty allows every domain.
	AllowedDomains []string `yaml:"allowed_domains,omitempty"`
	// MaxWriters caps the accounts that can edit a file (sheetaudit's own
	// not counted); 0 means no cap.
	MaxWriters int `yaml:"max_writers,omitempty"`
}

func (v *validator) access() {
	a := v.c.Access
	for i, d := range a.AllowedDomains {
		p := fmt.Sprintf("access.allowed_domains[%d]", i)
		d = strings.TrimPrefix(strings.TrimSpace(d), "@")
		switch {
		case d == "":
			v.errf(p, "is empty")
		case strings.ContainsAny(d, "@/ :") || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, "."):
			v.errf(p, "%q is not a domain: write it as corp.cn", a.AllowedDomains[i])
		}
	}
	if a.MaxWriters < 0 {
		v.errf("access.max_writers", "must not be negative (0 means no cap)")
	}
	for i, s := range v.c.Sheets {
		switch s.WriteBack.Protect {
		case "", ProtectWarning, ProtectStrict, ProtectOff:
		default:
			v.errf(fmt.Sprintf("sheets[%d].write_back.protect", i), "unknown %q: use warning, strict or off", s.WriteBack.Protect)
		}
	}
}

// How sheetaudit's own tabs are protected (write_back.protect).
const (
	ProtectWarning = "warning"
	ProtectStrict  = "strict"
	ProtectOff     = "off"
)
