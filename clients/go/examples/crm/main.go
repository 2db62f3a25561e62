// Command crm is a tiny CRM on ctibridge's call webhooks: it subscribes itself to the calls
// of some lines, verifies every delivery's signature, shows who is calling from a contacts
// CSV, and calls back missed callers it knows through the REST API. See README.md.
//
//	go run ./clients/go/examples/crm -bridge http://localhost:8080 -admin-token admin-demo-token \
//	    -token alice-demo-token -line demo/201 -contacts clients/go/examples/crm/contacts.csv
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	bridge := flag.String("bridge", "http://localhost:8080", "bridge base URL (REST)")
	adminToken := flag.String("admin-token", os.Getenv("CTIBRIDGE_ADMIN_TOKEN"), "admin token: subscribes this program (POST /api/v1/webhooks) and unsubscribes on exit")
	token := flag.String("token", os.Getenv("CTIBRIDGE_TOKEN"), "token of the user whose line calls back")
	line := flag.String("line", "demo/201", "the line to watch and to call back from")
	contacts := flag.String("contacts", "contacts.csv", "CSV of number,name,company (numbers in E.164)")
	listen := flag.String("listen", "127.0.0.1:0", "address the webhook receiver listens on")
	public := flag.String("public-url", "", "URL the bridge reaches the receiver at (default: http://<listen address>/hook)")
	callback := flag.Bool("callback", true, "call back missed callers found in the contacts")
	flag.Parse()

	book, err := loadContacts(*contacts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crm:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, config{bridge: strings.TrimRight(*bridge, "/"), adminToken: *adminToken, token: *token,
		line: *line, listen: *listen, public: *public, callback: *callback, contacts: book}); err != nil {
		fmt.Fprintln(os.Stderr, "crm:", err)
		os.Exit(1)
	}
}

type config struct {
	bridge, adminToken, token, line, listen, public string
	callback                                        bool
	contacts                                        map[string]contact
}

func run(ctx context.Context, cfg config) error {
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	url := cfg.public
	if url == "" {
		url = "http://" + ln.Addr().String() + "/hook"
	}
	// A fresh secret per run: the bridge signs with it, this program checks with it.
	secret := rand.Text()
	api := &restAPI{base: cfg.bridge, hc: &http.Client{Timeout: 15 * time.Second}}
	id, err := api.subscribe(ctx, cfg.adminToken, url, cfg.line, secret)
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = api.unsubscribe(dctx, cfg.adminToken, id)
	}()
	app := &crm{cfg: cfg, api: api, secret: secret, seen: newSeen(10000)}
	srv := &http.Server{Handler: app.routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	fmt.Printf("crm: webhook %s receiving %s calls at %s\n", id, cfg.line, url)
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}
