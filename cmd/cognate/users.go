package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"cognate/internal/server"
	"cognate/internal/store"
)

// openForCommand opens the storage a command works on, with the same flags
// and COGNATE_* variables as serve, plus the command's own (extra).
func openForCommand(ctx context.Context, name string, args []string, stderr io.Writer, extra func(fs *flag.FlagSet)) (*server.Server, *flag.FlagSet, error) {
	var cfg server.Config
	var configFile, logLevel string
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags(fs, &cfg, &configFile, &logLevel)
	extra(fs)
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if err := layer(fs, &cfg, configFile); err != nil {
		return nil, nil, err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.Open(ctx, cfg)
	return srv, fs, err
}

// usersCommand is 'cognate users import|export'.
func usersCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: cognate users import --pool ID FILE.csv | cognate users export --pool ID [--with-passwords] [--out FILE.csv]")
	}
	switch args[0] {
	case "import":
		return importUsers(ctx, args[1:], stdout, stderr)
	case "export":
		return exportUsers(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown users command %q: use import or export", args[0])
}

func importUsers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var poolID string
	srv, fs, err := openForCommand(ctx, "users import", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&poolID, "pool", "", "ID of the user pool to import into")
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	if poolID == "" || fs.NArg() != 1 {
		return errors.New("usage: cognate users import --pool ID FILE.csv")
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	jobID, err := srv.Service.ImportFile(ctx, poolID, filepath.Base(path), f)
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	bar := newProgress(stderr)
	if err := srv.Service.RunImportJob(ctx, poolID, jobID, "cli-"+jobID, bar.update); err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	bar.done()
	j, err := srv.Store().GetImportJob(ctx, poolID, jobID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s in %s: %d imported, %d skipped, %d failed (job %s)\n",
		path, j.Status, time.Since(start).Round(time.Millisecond), j.Imported, j.Skipped, j.Failed, jobID)
	rows, err := srv.Service.ImportReport(ctx, poolID, jobID, 0, 20)
	if err != nil {
		return err
	}
	for _, r := range rows {
		fmt.Fprintf(stdout, "  line %d %s: %s %s\n", r.Line, r.Username, r.Outcome, r.Reason)
	}
	if n := j.Skipped + j.Failed; n > int64(len(rows)) {
		fmt.Fprintf(stdout, "  … and %d more: GET /_cognate/import/%s/%s/report lists them all\n", n-int64(len(rows)), poolID, jobID)
	}
	if j.Status != "Succeeded" {
		return fmt.Errorf("the import job ended %s: %s", j.Status, j.Message)
	}
	return nil
}

func exportUsers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var poolID, out string
	var withPasswords bool
	srv, fs, err := openForCommand(ctx, "users export", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&poolID, "pool", "", "ID of the user pool to export")
		fs.StringVar(&out, "out", "", "file to write (default: standard output)")
		fs.BoolVar(&withPasswords, "with-passwords", false, "include password verifiers, so that users keep their passwords in another Cognate (treat the file as a secret)")
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	if poolID == "" || fs.NArg() != 0 {
		return errors.New("usage: cognate users export --pool ID [--with-passwords] [--out FILE.csv]")
	}
	w := stdout
	if out != "" {
		f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	n, err := srv.Service.ExportUsers(ctx, poolID, w, withPasswords)
	if err != nil {
		return fmt.Errorf("export %s: %w", poolID, err)
	}
	fmt.Fprintf(stderr, "exported %d users of %s\n", n, poolID)
	return nil
}

// progress draws an import's progress on a terminal, and nothing elsewhere.
type progress struct {
	w     io.Writer
	tty   bool
	start time.Time
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(j store.ImportJob) {
	if !p.tty || j.Size == 0 {
		return
	}
	const width = 30
	done := int(float64(j.Offset) / float64(j.Size) * width)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < done {
			bar[i] = '#'
		}
	}
	rate := float64(j.Imported) / max(time.Since(p.start).Seconds(), 0.001)
	fmt.Fprintf(p.w, "\r[%s] %3d%%  %d imported  %d skipped  %d failed  %.0f users/s ", bar, j.Offset*100/j.Size, j.Imported, j.Skipped, j.Failed, rate)
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
