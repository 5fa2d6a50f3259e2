package redact

import (
	"fmt"
	"io"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Writer returns w with every write redacted. Writes are redacted one by
// one, so a secret split across two writes would pass: the loggers and
// printers of sheetaudit write whole lines.
func (r *Redactor) Writer(w io.Writer) io.Writer { return &writer{r: r, w: w} }

type writer struct {
	r *Redactor
	w io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	out := w.r.String(string(p))
	if _, err := io.WriteString(w.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Core returns c with every entry's message and every text, error and
// stringer field redacted before it is encoded, so JSON escaping cannot
// hide a secret from the redactor.
func (r *Redactor) Core(c zapcore.Core) zapcore.Core { return &core{Core: c, r: r} }

type core struct {
	zapcore.Core
	r *Redactor
}

func (c *core) With(fs []zapcore.Field) zapcore.Core {
	return &core{Core: c.Core.With(c.r.fields(fs)), r: c.r}
}

func (c *core) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *core) Write(e zapcore.Entry, fs []zapcore.Field) error {
	e.Message = c.r.String(e.Message)
	e.Stack = c.r.String(e.Stack)
	return c.Core.Write(e, c.r.fields(fs))
}

func (r *Redactor) fields(fs []zapcore.Field) []zapcore.Field {
	out := make([]zapcore.Field, len(fs))
	for i, f := range fs {
		switch f.Type {
		case zapcore.StringType:
			f.String = r.String(f.String)
		case zapcore.ByteStringType, zapcore.BinaryType:
			if b, ok := f.Interface.([]byte); ok {
				f = zap.String(f.Key, r.String(string(b)))
			}
		case zapcore.ErrorType:
			if err, ok := f.Interface.(error); ok && err != nil {
				f = zap.String(f.Key, r.String(err.Error()))
			}
		case zapcore.StringerType:
			if s, ok := f.Interface.(fmt.Stringer); ok && s != nil {
				f = zap.String(f.Key, r.String(s.String()))
			}
		case zapcore.ReflectType:
			f = zap.String(f.Key, r.String(fmt.Sprintf("%+v", f.Interface)))
		}
		out[i] = f
	}
	return out
}
