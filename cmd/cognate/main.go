// Command cognate runs Cognate, a self-hosted server that speaks the Amazon
// Cognito User Pools API.
//
//	cognate serve [flags]
//	cognate keys rotate --pool ID [flags]
//	cognate users import --pool ID [flags] FILE.csv
//	cognate users export --pool ID [--with-passwords] [--out FILE.csv] [flags]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"cognate/internal/cognito"
	"cognate/internal/server"
)

const usage = `Cognate speaks the Amazon Cognito User Pools API.

Usage:
  cognate serve [flags]                 run the server (embedded SQLite in ./data unless --database-url is set)
  cognate keys rotate --pool ID [flags] give a pool a new token signing key; the old one stays
                                        published until the tokens it signed have expired
  cognate users import --pool ID FILE   import users from a CSV file (GetCSVHeader's columns)
  cognate users export --pool ID [--with-passwords] [--out FILE]
                                        write the pool's users as such a file

Run 'cognate serve -h' for the flags; each can also be set as a COGNATE_* variable
(--data-dir is COGNATE_DATA_DIR) or in a JSON file given with --config.

Messages (invitations, codes) are logged unless a sender is configured:
  email  --smtp-host, --smtp-port, --smtp-tls, --smtp-username, --smtp-password, --smtp-from
  SMS    --sms-webhook-url, --sms-webhook-secret (a signed JSON POST per message)
Each is retried with backoff until it is delivered or has failed 10 times;
GET /_cognate/outbox shows how far each message got.
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cognate:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "keys":
		if len(args) < 2 || args[1] != "rotate" {
			fmt.Fprint(stderr, usage)
			return errors.New("usage: cognate keys rotate --pool ID")
		}
		return rotateKeys(ctx, args[2:], os.Stdout, stderr)
	case "users":
		return usersCommand(ctx, args[1:], os.Stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// flags binds the server flags; every flag also reads COGNATE_<NAME>.
func flags(fs *flag.FlagSet, cfg *server.Config, configFile *string, logLevel *string) {
	fs.StringVar(configFile, "config", "", "JSON configuration file (flags and COGNATE_* variables override it)")
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:9229", "address to listen on")
	fs.StringVar(&cfg.DataDir, "data-dir", "data", "directory of the embedded SQLite database, the instance key and the first administrator key")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "postgres:// URL: use PostgreSQL instead of the embedded SQLite")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "region for requests whose signature names none")
	fs.StringVar(&cfg.AccountID, "account-id", "000000000000", "AWS account ID shown in ARNs")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "base URL clients reach Cognate at (token issuers, presigned URLs); default http://<addr>")
	fs.BoolVar(&cfg.Dev, "dev", false, "development mode: accept any well-formed SigV4 signature")
	fs.StringVar(&cfg.AccessKeys, "access-keys", "", "administrator keys as ID:SECRET[,ID:SECRET...]")
	fs.StringVar(&cfg.InstanceKeyFile, "instance-key-file", "", "file holding the key that encrypts secrets at rest (default <data-dir>/instance.key, created if missing)")
	fs.StringVar(&cfg.InstanceKey, "instance-key", "", "the instance key itself, base64 (for nodes sharing one PostgreSQL)")
	fs.StringVar(logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&cfg.SMTPHost, "smtp-host", "", "SMTP server to send email through (emails are logged when unset)")
	fs.IntVar(&cfg.SMTPPort, "smtp-port", 0, "SMTP port (default 587, or 465 with --smtp-tls tls)")
	fs.StringVar(&cfg.SMTPTLS, "smtp-tls", "starttls", "SMTP encryption: starttls, tls (TLS from the start) or none")
	fs.StringVar(&cfg.SMTPUsername, "smtp-username", "", "SMTP user name; authenticates with PLAIN or LOGIN when set")
	fs.StringVar(&cfg.SMTPPassword, "smtp-password", "", "SMTP password (prefer COGNATE_SMTP_PASSWORD: flags show in the process list)")
	fs.StringVar(&cfg.SMTPFrom, "smtp-from", "", "From address of emails whose pool names none, and the envelope sender of all")
	fs.StringVar(&cfg.SMSWebhookURL, "sms-webhook-url", "", "URL that SMS messages are POSTed to as signed JSON (SMS messages are logged when unset)")
	fs.StringVar(&cfg.SMSWebhookSecret, "sms-webhook-secret", "", "key of the webhook's X-Cognate-Signature HMAC (prefer COGNATE_SMS_WEBHOOK_SECRET)")
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	var cfg server.Config
	var configFile, logLevel string
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags(fs, &cfg, &configFile, &logLevel)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := layer(fs, &cfg, configFile); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", logLevel)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg.Logger = logger
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(server.Procs(cfg))
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another Cognate running? choose another --addr)", cfg.Addr, err)
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}
	start := time.Now()
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer srv.Close()
	backend := "sqlite " + cfg.DataDir
	if cfg.DatabaseURL != "" {
		backend = "postgres"
	}
	logger.Info("cognate is listening", "addr", ln.Addr().String(), "storage", backend, "dev", cfg.Dev,
		"gomaxprocs", runtime.GOMAXPROCS(0), "startup", time.Since(start).Round(time.Millisecond))
	if srv.AdminCredentialsFile != "" {
		logger.Info("created an administrator access key", "credentials_file", srv.AdminCredentialsFile,
			"use", "AWS_SHARED_CREDENTIALS_FILE="+srv.AdminCredentialsFile+" AWS_PROFILE=cognate aws --endpoint-url "+cfg.PublicURL+" cognito-idp list-user-pools --max-results 10")
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return <-errc
}

// rotateKeys is 'cognate keys rotate': it opens the same storage the server
// uses (the same flags and COGNATE_* variables) and rotates one pool's key.
func rotateKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var poolID string
	srv, _, err := openForCommand(ctx, "keys rotate", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&poolID, "pool", "", "ID of the user pool whose signing key to rotate")
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	if poolID == "" {
		return errors.New("--pool is required: the ID of the user pool whose signing key to rotate")
	}
	kid, err := srv.Service.RotateSigningKey(ctx, poolID)
	if err != nil {
		return fmt.Errorf("rotate the signing key of %s: %w", poolID, err)
	}
	fmt.Fprintf(stdout, "pool %s signs with key %s from now on; the previous key stays in the JWKS for another %s\n", poolID, kid, cognito.KeyOverlap)
	return nil
}

// layer applies, lowest first: the config file, COGNATE_* variables, then the
// flags given on the command line.
func layer(fs *flag.FlagSet, cfg *server.Config, configFile string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if configFile == "" {
		configFile = os.Getenv("COGNATE_CONFIG")
	}
	if configFile != "" {
		raw, err := os.ReadFile(configFile)
		if err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		var fromFile server.Config
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fromFile); err != nil {
			return fmt.Errorf("config file %s: %w", configFile, err)
		}
		apply(set, cfg, &fromFile)
	}
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || f.Name == "config" {
			return
		}
		name := "COGNATE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if err := f.Value.Set(v); err != nil {
				envErr = errors.Join(envErr, fmt.Errorf("%s=%q: %w", name, v, err))
			}
		}
	})
	return envErr
}

// apply copies the file's non-empty settings into cfg for flags not given on
// the command line.
func apply(set map[string]bool, cfg, file *server.Config) {
	pick := func(name string, dst *string, v string) {
		if !set[name] && v != "" {
			*dst = v
		}
	}
	pick("addr", &cfg.Addr, file.Addr)
	pick("data-dir", &cfg.DataDir, file.DataDir)
	pick("database-url", &cfg.DatabaseURL, file.DatabaseURL)
	pick("region", &cfg.Region, file.Region)
	pick("account-id", &cfg.AccountID, file.AccountID)
	pick("public-url", &cfg.PublicURL, file.PublicURL)
	pick("access-keys", &cfg.AccessKeys, file.AccessKeys)
	pick("instance-key-file", &cfg.InstanceKeyFile, file.InstanceKeyFile)
	pick("instance-key", &cfg.InstanceKey, file.InstanceKey)
	pick("smtp-host", &cfg.SMTPHost, file.SMTPHost)
	pick("smtp-tls", &cfg.SMTPTLS, file.SMTPTLS)
	pick("smtp-username", &cfg.SMTPUsername, file.SMTPUsername)
	pick("smtp-password", &cfg.SMTPPassword, file.SMTPPassword)
	pick("smtp-from", &cfg.SMTPFrom, file.SMTPFrom)
	pick("sms-webhook-url", &cfg.SMSWebhookURL, file.SMSWebhookURL)
	pick("sms-webhook-secret", &cfg.SMSWebhookSecret, file.SMSWebhookSecret)
	if !set["smtp-port"] && file.SMTPPort != 0 {
		cfg.SMTPPort = file.SMTPPort
	}
	if !set["dev"] && file.Dev {
		cfg.Dev = true
	}
}
