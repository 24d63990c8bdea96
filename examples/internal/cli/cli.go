// Package cli is what the example programs share as commands: the process
// around them, flag parsing that refuses stray arguments, exit codes, and
// the SDK's logger on stderr, so that a slow or failing API is never silent.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
)

// Run is a command without its process, so that a test can give it
// arguments and an environment and read what it writes.
type Run func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error

// Main runs the command name with the process's arguments, environment and
// streams, cancelled on an interrupt, and exits with the code Exit gives.
func Main(name string, run Run) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := Exit(name, run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr), os.Stderr)
	stop()
	os.Exit(code)
}

// NewFlagSet is the flag set of the command name, for Parse: it reports to
// stderr, and its usage, unless about is "", is "usage: name" ("usage: name
// [flags]" when it has flags), a blank line, about, and the flags.
func NewFlagSet(name, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if about != "" {
		fs.Usage = func() {
			hasFlags := false
			fs.VisitAll(func(*flag.Flag) { hasFlags = true })
			if !hasFlags {
				fmt.Fprintf(stderr, "usage: %s\n\n%s\n", name, about)
				return
			}
			fmt.Fprintf(stderr, "usage: %s [flags]\n\n%s\n\nFlags:\n", name, about)
			fs.PrintDefaults()
		}
	}
	return fs
}

// Refuse is the error for a flag value fs parsed but the command cannot
// use: it says err and prints the usage, as Parse does for a flag it could
// not parse, so that Exit makes it exit code 2.
func Refuse(fs *flag.FlagSet, err error) error {
	fmt.Fprintln(fs.Output(), err)
	fs.Usage()
	return usageError{err}
}

// usageError is a command line refused; the flag set has already said why
// and printed the usage.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// Parse parses args with fs, which must use flag.ContinueOnError, and
// refuses arguments left over: the examples take none. "-h" returns
// flag.ErrHelp, having printed the usage.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err} // the flag set printed it, and the usage
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments %q", fs.Args())
		fmt.Fprintln(fs.Output(), err)
		fs.Usage()
		return usageError{err}
	}
	return nil
}

// Exit is the exit code for run's error, having said on stderr what went
// wrong, once: 0 for success and for -h, 2 for a command line refused
// (already reported by Parse), 1 for anything else, printed after the
// command's name unless the error already starts with it.
func Exit(name string, err error, stderr io.Writer) int {
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		return 2
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, name+": ") {
		msg = name + ": " + msg
	}
	fmt.Fprintln(stderr, msg)
	return 1
}

// Logger logs the SDK's warnings and errors to w, one line each: a try
// that failed and will be retried, and a call that failed.
func Logger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{} // the user is watching it happen
			}
			return a
		},
	}))
}
