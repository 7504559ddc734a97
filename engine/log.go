package engine

import (
	"context"
	"log/slog"

	"github.com/rotorkit/rotor"
)

// logEvent writes one committed change to the log. Events carry no secret
// values, and neither does the log: only names, versions, labels, steps and
// the text of failures.
func logEvent(log *slog.Logger, ev rotor.Event) {
	level := slog.LevelInfo
	switch ev.Kind {
	case rotor.EventStepDone, rotor.EventLabelMoved, rotor.EventValuePut:
		level = slog.LevelDebug
	case rotor.EventStepFailed:
		level = slog.LevelWarn
	case rotor.EventRotationAbandon:
		level = slog.LevelError
	}
	attrs := []slog.Attr{slog.String("event", string(ev.Kind)), slog.String("arn", ev.ARN)}
	if ev.VersionID != "" {
		attrs = append(attrs, slog.String("version", ev.VersionID))
	}
	if len(ev.Stages) > 0 {
		attrs = append(attrs, slog.Any("stages", ev.Stages))
	}
	if ev.Step != "" {
		attrs = append(attrs, slog.String("step", string(ev.Step)))
	}
	if ev.Error != "" {
		attrs = append(attrs, slog.String("error", ev.Error))
	}
	log.LogAttrs(context.Background(), level, "secret "+string(ev.Kind), attrs...)
}
