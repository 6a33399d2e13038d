package statuspage

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A real headless Chromium, driven over the DevTools protocol: the few commands the status
// page test needs (open a page, wait for it, evaluate an expression, take a screenshot), so the
// test runs the browser people use and not an imitation of it.

// browserEnv makes a missing browser a failure (CI sets it) instead of a skip.
const browserEnv = "DRIFT_TEST_REQUIRE_BROWSER"

// findChromium returns the browser binary, or skips (fails in CI) saying how to install it.
func findChromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("DRIFT_CHROMIUM"), "chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	msg := "no Chromium to render the status page in (install it: apt-get install chromium, or set DRIFT_CHROMIUM)"
	if os.Getenv(browserEnv) != "" {
		t.Fatalf("%s; %s is set, so this is a failure", msg, browserEnv)
	}
	t.Skipf("%s; set %s=1 to make this a failure", msg, browserEnv)
	return ""
}

// browser is one headless Chromium with one page.
type browser struct {
	t       *testing.T
	conn    *websocket.Conn
	session string
	mu      sync.Mutex
	nextID  int
	waiting map[int]chan cdpReply
	done    chan struct{}
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

var devtoolsURL = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

// startBrowser launches Chromium with a fresh profile and opens a blank page in it.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	bin := findChromium(t)
	// A profile of its own, removed once every Chromium process has exited (its helpers write
	// to it until then).
	profile, err := os.MkdirTemp("", "drift-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
		"--disable-extensions", "--mute-audio", "--hide-scrollbars",
		"--user-data-dir="+profile, "--remote-debugging-port=0", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its helper processes go with it
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var b *browser
	t.Cleanup(func() {
		if b != nil {
			_ = b.try("", "Browser.close", nil, nil) // a clean exit first
			_ = b.conn.Close()
		}
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		for i := 0; i < 20; i++ {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	found := make(chan string, 1)
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := devtoolsURL.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			} else if log.Len() < 4000 {
				log.WriteString(sc.Text() + "\n")
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	var wsURL string
	select {
	case wsURL = <-found:
	case <-time.After(30 * time.Second):
		t.Fatalf("chromium did not open its DevTools port in 30s:\n%s", log.String())
	}
	conn, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
	if err != nil {
		t.Fatalf("connecting to chromium: %v", err)
	}
	b = &browser{t: t, conn: conn, waiting: map[int]chan cdpReply{}, done: make(chan struct{})}
	go b.read()

	var created struct {
		TargetID string `json:"targetId"`
	}
	b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &created)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	b.call("", "Target.attachToTarget", map[string]any{"targetId": created.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	b.call(b.session, "Page.enable", nil, nil)
	b.call(b.session, "Runtime.enable", nil, nil)
	return b
}

// read dispatches replies to their callers; events are not needed.
func (b *browser) read() {
	defer close(b.done)
	for {
		_, data, err := b.conn.ReadMessage()
		if err != nil {
			return
		}
		var msg struct {
			ID int `json:"id"`
			cdpReply
		}
		if json.Unmarshal(data, &msg) != nil || msg.ID == 0 {
			continue
		}
		b.mu.Lock()
		ch := b.waiting[msg.ID]
		delete(b.waiting, msg.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- msg.cdpReply
		}
	}
}

// call sends one command and decodes its result into out (when not nil).
func (b *browser) call(session, method string, params any, out any) {
	b.t.Helper()
	if err := b.try(session, method, params, out); err != nil {
		b.t.Fatalf("chromium %s: %v", method, err)
	}
}

func (b *browser) try(session, method string, params any, out any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpReply, 1)
	b.waiting[id] = ch
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	err := b.conn.WriteJSON(msg)
	b.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return errors.New(r.Error.Message)
		}
		if out != nil {
			return json.Unmarshal(r.Result, out)
		}
		return nil
	case <-b.done:
		return errors.New("the browser closed the connection")
	case <-time.After(30 * time.Second):
		return errors.New("no answer in 30s")
	}
}

// eval evaluates a JavaScript expression in the page and decodes its (JSON) value into out.
func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	b.call(b.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res)
	if res.Exception != nil {
		b.t.Fatalf("evaluating %s: %s", expr, res.Exception.Text)
	}
	if out != nil {
		if err := json.Unmarshal(res.Result.Value, out); err != nil {
			b.t.Fatalf("evaluating %s: %v (value %s)", expr, err, res.Result.Value)
		}
	}
}

// navigate opens url and waits until it has loaded.
func (b *browser) navigate(url string) {
	b.t.Helper()
	b.call(b.session, "Page.navigate", map[string]any{"url": url}, nil)
	b.waitLoaded(func(href string) bool { return href == url })
}

// waitLoaded waits until the page's address satisfies at and the document is complete.
func (b *browser) waitLoaded(at func(href string) bool) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		// The evaluation fails while a navigation replaces the document: try again.
		var res struct {
			Result struct {
				Value struct{ Href, Ready string } `json:"value"`
			} `json:"result"`
		}
		err := b.try(b.session, "Runtime.evaluate", map[string]any{
			"expression": "({Href: location.href, Ready: document.readyState})", "returnByValue": true}, &res)
		if err == nil && at(res.Result.Value.Href) && res.Result.Value.Ready == "complete" {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the page did not load in 20s (at %q, %q, %v)", res.Result.Value.Href, res.Result.Value.Ready, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// viewport sets the page's size: a phone (390×844 CSS pixels, 2× density) or a desktop.
func (b *browser) viewport(width, height int, mobile bool) {
	b.t.Helper()
	b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 2, "mobile": mobile}, nil)
}

// screenshot writes a PNG of the whole page to path.
func (b *browser) screenshot(path string) {
	b.t.Helper()
	var shot struct {
		Data string `json:"data"`
	}
	b.call(b.session, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}, &shot)
	data, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		b.t.Fatalf("decoding the screenshot: %v", err)
	}
	if len(data) < 8 || string(data[1:4]) != "PNG" {
		b.t.Fatalf("the screenshot is not a PNG (%d bytes)", len(data))
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s (%d KiB)", path, len(data)>>10)
}

// artifactDir is where the test leaves its screenshots: $DRIFT_TEST_ARTIFACTS/<test> when set
// (CI collects it), else the test's artifact directory (kept with go test -artifacts).
func artifactDir(t *testing.T) string {
	t.Helper()
	if root := os.Getenv("DRIFT_TEST_ARTIFACTS"); root != "" {
		dir := fmt.Sprintf("%s/%s", root, strings.ReplaceAll(t.Name(), "/", "_"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.ArtifactDir()
}
