package audit

// ReportLanguages exposes the report's label tables to the external tests.
func ReportLanguages() []any {
	out := make([]any, len(reportLanguages))
	for i, l := range reportLanguages {
		out[i] = l
	}
	return out
}
