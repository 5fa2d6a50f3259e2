package audit

import (
	"context"
	"time"
)

// WriteBackForTest runs the cycle's write-back of b on its own, as a cycle
// whose snapshot is "s" would.
func WriteBackForTest(ctx context.Context, c *Cycle, b *WriteBack) error {
	st, err := c.State.LoadState(ctx, c.Spec.Name)
	if err != nil {
		return err
	}
	res := &Result{Snapshot: "s"}
	_, err = c.writeBack(ctx, &st, b, res, time.Now(), "", c.logger())
	return err
}

// ReportLanguages exposes the report's label tables to the external tests.
func ReportLanguages() []any {
	out := make([]any, len(reportLanguages))
	for i, l := range reportLanguages {
		out[i] = l
	}
	return out
}
