// Package testserver is an HTTP server speaking the part of Slack's API that drift uses —
// incoming webhooks, chat.postMessage and chat.update — for tests.
//
// slack-go ships slacktest, but it has no chat.update and no incoming webhooks, gives every
// message of the same second the same ts, and cannot be told to fail; overriding all of that
// would leave nothing of it. This server answers the way Slack does (form-encoded Web API
// calls with a token, JSON webhooks, {"ok":false,"error":...} bodies, 429 with Retry-After),
// enforces the Block Kit limits drift must respect, and records what was delivered so tests
// can count messages.
package testserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Token is the bot token the server accepts.
const Token = "xoxb-0000-test-Sekr3tBotToken"

// webhookPath is the secret part of the webhook URL.
const webhookPath = "/services/T0000/B0000/Sekr3tWebhookPath"

// ChannelID is the ID the server gives the one channel it knows, whatever its name.
const ChannelID = "C0DRIFT"

// Message is a delivered message or edit.
type Message struct {
	// Method is "webhook", "chat.postMessage" or "chat.update".
	Method   string
	Channel  string
	TS       string // the message's ts (for chat.update, the edited message's)
	ThreadTS string // set for thread replies
	Text     string
	Blocks   json.RawMessage
	// Metadata is the message metadata sent with chat.postMessage or chat.update, if any.
	Metadata json.RawMessage
}

// Response is a scripted failure for one request.
type Response struct {
	Status     int    // HTTP status; 0 means 200
	RetryAfter int    // seconds, sent as Retry-After when set
	SlackError string // with Status 0: {"ok":false,"error":SlackError}
}

// Server is a running test server.
type Server struct {
	srv      *httptest.Server
	mu       sync.Mutex
	messages []Message
	requests int
	gone     int
	script   []Response
	holds    []chan struct{}
	hang     bool
	arrived  chan struct{}
	closed   chan struct{}
	nextTS   int
	known    map[string]bool // ts of posted messages
}

// New starts a server, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{known: map[string]bool{}, arrived: make(chan struct{}, 100), closed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/chat.postMessage", s.chat("chat.postMessage"))
	mux.HandleFunc("/api/chat.update", s.chat("chat.update"))
	mux.HandleFunc("/services/", s.webhook)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(s.closed) // a held request must not keep Close waiting
		s.srv.Close()
	})
	return s
}

// WebhookURL is the incoming webhook URL (a secret, as in real life).
func (s *Server) WebhookURL() string { return s.srv.URL + webhookPath }

// APIURL is the Web API base URL to give the bot sender.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// FailNext scripts the answers to the next requests, in order; after them the server answers
// normally again.
func (s *Server) FailNext(rs ...Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, rs...)
}

// HoldNext makes the next request wait until release is called. Arrived receives once the
// request is being held. A held request whose client goes away is not delivered.
func (s *Server) HoldNext() (arrived <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	s.holds = append(s.holds, ch)
	var once sync.Once
	return s.arrived, func() { once.Do(func() { close(ch) }) }
}

// Hang makes every request from now on wait for an answer that never comes (until the client
// gives up or the test ends), the way a Slack that accepts connections but never answers does;
// Hang(false) answers normally again. Requests counts the requests that arrived meanwhile:
// each is a copy the real Slack might have posted.
func (s *Server) Hang(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hang = on
}

// Messages returns the delivered messages and edits, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Posts returns the delivered new messages (webhook posts and chat.postMessage, thread replies
// included), leaving out edits.
func (s *Server) Posts() []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.Method != "chat.update" {
			out = append(out, m)
		}
	}
	return out
}

// Requests counts every request received, failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Abandoned counts held (and hung) requests whose client went away before they were answered.
func (s *Server) Abandoned() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gone
}

// admit counts the request, applies a hold or a scripted failure, and reports whether the
// request may proceed.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	s.requests++
	var hold chan struct{}
	if len(s.holds) > 0 {
		hold, s.holds = s.holds[0], s.holds[1:]
	}
	hang := s.hang
	s.mu.Unlock()
	if hang {
		_, _ = io.Copy(io.Discard, r.Body) // net/http sees the client go only once the body is read
		select {
		case <-s.closed:
		case <-r.Context().Done():
			s.mu.Lock()
			s.gone++
			s.mu.Unlock()
		}
		return false
	}
	if hold != nil {
		// net/http notices a client that went away (and cancels the request's context) only
		// once the body has been read.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return false
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.arrived <- struct{}{}
		select {
		case <-s.closed:
			return false
		case <-hold:
		case <-r.Context().Done():
			s.mu.Lock()
			s.gone++
			s.mu.Unlock()
			return false // the client went away: nothing delivered
		}
	}
	s.mu.Lock()
	var resp *Response
	if len(s.script) > 0 {
		resp = &s.script[0]
		s.script = s.script[1:]
	}
	s.mu.Unlock()
	if resp == nil {
		return true
	}
	if resp.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(resp.RetryAfter))
	}
	if resp.Status != 0 && resp.Status != http.StatusOK {
		w.WriteHeader(resp.Status)
		_, _ = io.WriteString(w, "<html>unavailable</html>")
		return false
	}
	writeJSON(w, map[string]any{"ok": false, "error": resp.SlackError})
	return false
}

func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	if !s.admit(w, r) {
		return
	}
	if r.URL.Path != webhookPath {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "no_service")
		return
	}
	var body struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "invalid_payload")
		return
	}
	if err := checkBlocks(body.Blocks); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "invalid_blocks: "+err.Error())
		return
	}
	s.mu.Lock()
	s.messages = append(s.messages, Message{Method: "webhook", Text: body.Text, Blocks: body.Blocks})
	s.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

func (s *Server) chat(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.admit(w, r) {
			return
		}
		if err := r.ParseForm(); err != nil {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_form_data"})
			return
		}
		token := r.PostForm.Get("token")
		if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
			token = strings.TrimPrefix(auth, "Bearer ")
		}
		if token != Token {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		channel := r.PostForm.Get("channel")
		if channel == "" {
			writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
			return
		}
		if strings.HasPrefix(channel, "#") {
			channel = ChannelID
		}
		blocks := json.RawMessage(r.PostForm.Get("blocks"))
		if err := checkBlocks(blocks); err != nil {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_blocks", "detail": err.Error()})
			return
		}
		m := Message{Method: method, Channel: channel, Text: r.PostForm.Get("text"), Blocks: blocks,
			ThreadTS: r.PostForm.Get("thread_ts")}
		if md := r.PostForm.Get("metadata"); md != "" {
			m.Metadata = json.RawMessage(md)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		switch method {
		case "chat.update":
			m.TS = r.PostForm.Get("ts")
			if !s.known[m.TS] {
				writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
				return
			}
		default:
			if m.ThreadTS != "" && !s.known[m.ThreadTS] {
				writeJSON(w, map[string]any{"ok": false, "error": "thread_not_found"})
				return
			}
			s.nextTS++
			m.TS = fmt.Sprintf("1700000000.%06d", s.nextTS)
			s.known[m.TS] = true
		}
		s.messages = append(s.messages, m)
		writeJSON(w, map[string]any{"ok": true, "channel": channel, "ts": m.TS})
	}
}

// checkBlocks enforces the limits Slack enforces: at most 50 blocks, section text at most 3,000
// characters, header text at most 150.
func checkBlocks(raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	var blocks []struct {
		Type string `json:"type"`
		Text *struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return fmt.Errorf("blocks are not a JSON array: %w", err)
	}
	if len(blocks) > 50 {
		return fmt.Errorf("%d blocks, more than 50", len(blocks))
	}
	for i, b := range blocks {
		if b.Text == nil {
			continue
		}
		n := utf8.RuneCountInString(b.Text.Text)
		switch {
		case b.Type == "section" && n > 3000:
			return fmt.Errorf("block %d: section text of %d characters", i, n)
		case b.Type == "header" && n > 150:
			return fmt.Errorf("block %d: header text of %d characters", i, n)
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
